import { describeError } from "../core/errors.ts";
import { retryAfterMs } from "../core/retry-after.ts";
import { sinkUrl } from "../spec/env.ts";
import type { DigestMessage } from "./digest.tsx";
import { redactor } from "./redact.ts";
import { classifyHttp, type SendOutcome } from "./send-retry.ts";
import type { SendContext, Sink } from "./sink.ts";

/**
 * An HTTP sink (ntfy, webhook): `build` makes the request for a digest; every request also
 * carries the Idempotency-Key and, when the spec names token_env, `Authorization: Bearer`.
 */
export function httpSink(
  spec: {
    id: string;
    kind: "ntfy" | "webhook";
    url?: string | undefined;
    url_env?: string | undefined;
    token_env?: string | undefined;
    timeout_s: number;
  },
  env: Readonly<Record<string, string | undefined>>,
  fetchFn: typeof fetch,
  build: (msg: DigestMessage, ctx: SendContext) => { headers: Record<string, string>; body: string },
): Sink {
  const token = spec.token_env ? env[spec.token_env]?.trim() : undefined;
  const url = sinkUrl(spec, env);
  const redact = redactor([url, token]);
  const timeoutMs = spec.timeout_s * 1000;
  return {
    id: spec.id,
    kind: spec.kind,
    timeoutMs,
    redact,
    send(msg, ctx) {
      const req = build(msg, ctx);
      const headers: Record<string, string> = { ...req.headers, "Idempotency-Key": ctx.deliveryId };
      if (token) headers.Authorization = `Bearer ${token}`;
      return postOnce(fetchFn, url, { headers, body: req.body }, timeoutMs, redact, ctx.now);
    },
  };
}

/**
 * One POST to a reader's HTTP endpoint, cut at `timeoutMs`. A network error or a timeout is
 * transient; the status decides otherwise (see classifyHttp). Errors are redacted here.
 */
export async function postOnce(
  fetchFn: typeof fetch,
  url: string,
  init: { headers: Record<string, string>; body: string },
  timeoutMs: number,
  redact: (s: string) => string,
  now: Date,
): Promise<SendOutcome> {
  let res: Response;
  try {
    res = await fetchFn(url, {
      method: "POST",
      headers: init.headers,
      body: init.body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    return {
      outcome: "transient",
      error: redact(timedOut ? `no answer within ${timeoutMs} ms` : describeError(err)),
    };
  }
  const text = await res.text().catch(() => "");
  const outcome = classifyHttp(res.status);
  if (outcome === "sent") return { outcome, detail: `HTTP ${res.status}` };
  const wait = retryAfterMs(res.headers, now);
  const error = redact(`HTTP ${res.status}${text ? `: ${text.replace(/\s+/g, " ").slice(0, 200)}` : ""}`);
  return { outcome, error, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
}

/** A header value from any text: ASCII as is, otherwise RFC 2047 (=?UTF-8?B?…?=). */
export function headerText(s: string): string {
  const flat = s.replace(/[\r\n]+/g, " ");
  return /^[\x20-\x7e]*$/.test(flat) ? flat : `=?UTF-8?B?${Buffer.from(flat, "utf8").toString("base64")}?=`;
}

/** At most `max` UTF-8 bytes of `s`, cut at a character, with `tail` appended when cut. */
export function clipBytes(s: string, max: number, tail: string): string {
  const buf = Buffer.from(s, "utf8");
  if (buf.length <= max) return s;
  const room = Math.max(0, max - Buffer.byteLength(tail, "utf8"));
  let cut = buf.subarray(0, room).toString("utf8");
  if (cut.endsWith("\uFFFD")) cut = cut.slice(0, -1);
  return cut + tail;
}
