import type { NtfySinkSpec } from "../spec/schema.ts";
import { clipBytes, headerText, postOnce } from "./http.ts";
import { redactor } from "./redact.ts";
import type { Sink } from "./sink.ts";

/** ntfy publishes messages up to 4096 bytes as text; longer ones would become attachments. */
export const NTFY_MAX_BYTES = 4000;

/**
 * An ntfy topic: POST the Markdown (clipped to NTFY_MAX_BYTES) with Title, Markdown: yes, Tags,
 * and the Idempotency-Key; `Authorization: Bearer` from the spec's token_env when given.
 */
export function ntfySink(
  spec: NtfySinkSpec,
  env: Readonly<Record<string, string | undefined>>,
  fetchFn: typeof fetch,
): Sink {
  const token = spec.token_env ? env[spec.token_env]?.trim() : undefined;
  const redact = redactor([spec.url, token]);
  const timeoutMs = spec.timeout_s * 1000;
  return {
    id: spec.id,
    kind: "ntfy",
    timeoutMs,
    redact,
    send(msg, ctx) {
      const headers: Record<string, string> = {
        "Content-Type": "text/plain; charset=utf-8",
        Title: headerText(msg.title),
        Markdown: "yes",
        Tags: "newspaper",
        "Idempotency-Key": ctx.deliveryId,
        "X-Afk-Slot": msg.slot,
      };
      if (token) headers.Authorization = `Bearer ${token}`;
      const body = clipBytes(
        msg.markdown,
        NTFY_MAX_BYTES,
        `\n\n… (clipped; the whole digest is ${msg.outPath})\n`,
      );
      return postOnce(fetchFn, spec.url, { headers, body }, timeoutMs, redact, ctx.now);
    },
  };
}
