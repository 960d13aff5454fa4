import type { NtfySinkSpec } from "../spec/schema.ts";
import { clipBytes, headerText, httpSink } from "./http.ts";
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
  return httpSink(spec, env, fetchFn, (msg) => ({
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      Title: headerText(msg.title),
      Markdown: "yes",
      Tags: "newspaper",
      "X-Afk-Slot": msg.slot,
    },
    body: clipBytes(msg.markdown, NTFY_MAX_BYTES, `\n\n… (clipped; the whole digest is ${msg.outPath})\n`),
  }));
}
