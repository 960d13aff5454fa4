import type { AttemptOutcome } from "../core/delivery.ts";

/** What one attempt at a sink came to. `error` is already redacted. */
export type SendOutcome =
  | { outcome: "sent"; detail: string }
  | { outcome: Exclude<AttemptOutcome, "sent">; error: string; retryAfterMs?: number };

/** HTTP: 2xx sent; 408, 429 and 5xx transient; any other status (4xx, a 3xx left over) permanent. */
export function classifyHttp(status: number): AttemptOutcome {
  if (status >= 200 && status < 300) return "sent";
  if (status === 408 || status === 429 || status >= 500) return "transient";
  return "permanent";
}

/**
 * SMTP: a reply code 4xx is transient and 5xx permanent; no reply at all (refused, reset, DNS,
 * timeout) is transient; an error nodemailer raises before talking (bad address, bad config) is
 * permanent, since sending again cannot change it.
 */
export function classifySmtp(err: {
  code?: unknown;
  responseCode?: unknown;
}): Exclude<AttemptOutcome, "sent"> {
  const reply = typeof err.responseCode === "number" ? err.responseCode : undefined;
  if (reply !== undefined) return reply >= 500 ? "permanent" : "transient";
  const code = typeof err.code === "string" ? err.code : "";
  if (["EENVELOPE", "ECONFIG", "EMESSAGE", "EAUTH"].includes(code)) return "permanent";
  return "transient";
}

const BASE_MS = 30_000;
const CAP_MS = 3_600_000;

/**
 * When a row that failed transiently is due again: 30 s, 1 min, 2 min … doubling per attempt,
 * at most an hour; a sink's Retry-After wins when it asks for longer.
 */
export function nextAttemptAt(now: Date, attempts: number, retryAfterMs?: number): Date {
  const backoff = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempts - 1));
  const wait = retryAfterMs !== undefined ? Math.min(CAP_MS, Math.max(backoff, retryAfterMs)) : backoff;
  return new Date(now.getTime() + wait);
}
