import type { WebhookSinkSpec } from "../spec/schema.ts";
import { httpSink } from "./http.ts";
import { webhookBody } from "./payloads.ts";
import type { Sink } from "./sink.ts";

/** A webhook: one JSON POST per digest in the spec's format, with the Idempotency-Key header. */
export function webhookSink(
  spec: WebhookSinkSpec,
  env: Readonly<Record<string, string | undefined>>,
  fetchFn: typeof fetch,
): Sink {
  return httpSink(spec, env, fetchFn, (msg, ctx) => ({
    headers: { "Content-Type": "application/json; charset=utf-8", "User-Agent": "afk" },
    body: JSON.stringify(webhookBody(spec.format, msg, ctx)),
  }));
}
