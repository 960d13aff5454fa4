/** @jsxImportSource hono/jsx */
import { raw } from "hono/html";
import { describeError } from "../core/errors.ts";
import type { EmailSinkSpec } from "../spec/schema.ts";
import type { DigestMessage } from "./digest.tsx";
import { messageId } from "./ids.ts";
import { redactor } from "./redact.ts";
import { classifySmtp } from "./send-retry.ts";
import type { SendContext, Sink } from "./sink.ts";

/** The text/html part: a whole document around the rendered digest (already escaped). */
export function emailHtml(msg: DigestMessage): string {
  return `<!DOCTYPE html>${String(
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>{msg.title}</title>
      </head>
      <body>{raw(msg.html)}</body>
    </html>,
  )}`;
}

/** Subject: the digest's title, with the slot's date when the title does not carry it already. */
export function emailSubject(msg: DigestMessage): string {
  const day = msg.slot.slice(0, 10);
  return msg.title.includes(day) ? msg.title : `${msg.title} (${day})`;
}

/** The message nodemailer sends: multipart text (the Markdown) + html, Date and a Message-ID from slot and sink. */
export function emailMessage(spec: EmailSinkSpec, msg: DigestMessage, ctx: SendContext) {
  return {
    from: spec.from,
    to: spec.to,
    subject: emailSubject(msg),
    date: ctx.now,
    messageId: messageId(ctx.deliveryId, spec.from),
    text: msg.markdown,
    html: emailHtml(msg),
    headers: { "X-Afk-Slot": msg.slot },
  };
}

/**
 * SMTP through nodemailer from the URL in the spec's smtp_url_env (`smtp://` uses STARTTLS when
 * offered, `smtps://` TLS from the start). Connection, greeting and each reply are cut at the
 * sink's timeout; one connection per send, closed after it.
 */
export function emailSink(spec: EmailSinkSpec, env: Readonly<Record<string, string | undefined>>): Sink {
  const smtpUrl = env[spec.smtp_url_env]?.trim() ?? "";
  const redact = redactor([smtpUrl]);
  const timeoutMs = spec.timeout_s * 1000;
  return {
    id: spec.id,
    kind: "email",
    timeoutMs,
    redact,
    async send(msg, ctx) {
      const { createTransport } = await import("nodemailer");
      const transport = createTransport(smtpTransportOptions(smtpUrl, timeoutMs));
      try {
        const info = await transport.sendMail({
          ...emailMessage(spec, msg, ctx),
          signal: AbortSignal.timeout(timeoutMs * 2),
        });
        return { outcome: "sent", detail: redact(String(info.response ?? "accepted")) };
      } catch (err) {
        const e = err as { code?: unknown; responseCode?: unknown };
        const why = describeError(err);
        const error =
          e.code === "ETIMEDOUT" ? `no answer within the sink's timeout (${timeoutMs} ms): ${why}` : why;
        return { outcome: classifySmtp(e), error: redact(error) };
      } finally {
        transport.close();
      }
    },
  };
}

/** nodemailer's settings for a sink: every wait cut at the sink's timeout (doctor verifies with them too). */
export function smtpTransportOptions(smtpUrl: string, timeoutMs: number) {
  return {
    url: smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    socketCloseTimeout: 0,
  };
}
