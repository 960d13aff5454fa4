import type { WebhookSinkSpec } from "../spec/schema.ts";
import { postOnce } from "./http.ts";
import { webhookBody } from "./payloads.ts";
import { redactor } from "./redact.ts";
import type { Sink } from "./sink.ts";

/** A webhook: one JSON POST per digest in the spec's format, with the Idempotency-Key header. */
export function webhookSink(
  spec: WebhookSinkSpec,
  env: Readonly<Record<string, string | undefined>>,
  fetchFn: typeof fetch,
): Sink {
  const token = spec.token_env ? env[spec.token_env]?.trim() : undefined;
  const redact = redactor([spec.url, token]);
  const timeoutMs = spec.timeout_s * 1000;
  return {
    id: spec.id,
    kind: "webhook",
    timeoutMs,
    redact,
    send(msg, ctx) {
      const headers: Record<string, string> = {
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": ctx.deliveryId,
        "User-Agent": "afk",
      };
      if (token) headers.Authorization = `Bearer ${token}`;
      const body = JSON.stringify(webhookBody(spec.format, msg, ctx));
      return postOnce(fetchFn, spec.url, { headers, body }, timeoutMs, redact, ctx.now);
    },
  };
}
