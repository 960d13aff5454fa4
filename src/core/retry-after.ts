/**
 * An HTTP `Retry-After` value as milliseconds from `nowMs`: delay-seconds or an HTTP date
 * (RFC 9110 §10.2.3). Null when absent, empty, negative or unreadable; a past date is 0.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null || value.trim() === "") return null;
  if (/^\s*[-+]?[\d.]/.test(value)) {
    const secs = Number(value);
    return Number.isFinite(secs) && secs >= 0 ? secs * 1000 : null;
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** Retry-After as milliseconds: OpenAI's `retry-after-ms`, else `retry-after` in seconds or as a date. */
export function retryAfterMs(headers: Headers, now: Date): number | undefined {
  const ms = Number(headers.get("retry-after-ms"));
  if (headers.has("retry-after-ms") && Number.isFinite(ms) && ms >= 0) return ms;
  return parseRetryAfter(headers.get("retry-after"), now.getTime()) ?? undefined;
}
