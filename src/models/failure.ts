/**
 * Why a link of the chain did not deliver a draft: one closed set, with the policy each
 * code carries (retry, disable the tier for the day, count towards the circuit breaker).
 */
export const FAILURE_CODES = [
  /** 404: the model is not pulled (Ollama) or unknown to the provider. */
  "not_found",
  /** 401/403: the key is bad or was revoked. */
  "unauthorized",
  /** 429 insufficient_quota: the account has no credit left. */
  "quota",
  /** 429 rate limit; may carry Retry-After. */
  "rate_limit",
  "http_4xx",
  "http_5xx",
  /** 503: the server is busy. */
  "busy",
  "timeout",
  /** Connection refused or reset. */
  "network",
  /** A 200 whose body could not be read (cut, not the expected envelope). */
  "bad_reply",
  /** The model answered, but the draft failed validation. */
  "invalid_draft",
  /** The tick was stopped (kill, max tick time). */
  "aborted",
  /** Refused before any request: the API key's variable is not set. */
  "no_key",
  /** Refused before any request: the spec gives no price, so no worst case can be reserved. */
  "no_price",
  /** Refused before any request: the worst case does not fit in what is left of the day's cap. */
  "over_budget",
  /** Skipped: the tier was disabled for the day by a 401 or an exhausted quota. */
  "tier_disabled",
  /** Skipped: the circuit breaker is open for this model. */
  "circuit_open",
  /** The provider billed beyond the request's maximum (its reservation): the link is off for the day. */
  "overrun",
] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

/** Codes that switch a tier off until the end of the day (spec time zone). core-006 widened the CHECK. */
export const TIER_OFF_CODES = ["unauthorized", "quota", "overrun"] as const satisfies readonly FailureCode[];
export type TierOffCode = (typeof TIER_OFF_CODES)[number];

export interface Failure {
  code: FailureCode;
  reason: string;
  /** The provider asked to wait this long before the next request (Retry-After). */
  retryAfterMs?: number;
}

/** Transient failures get a bounded retry with backoff; the others hand over at once. */
export function isTransient(code: FailureCode): boolean {
  switch (code) {
    case "rate_limit":
    case "http_5xx":
    case "busy":
    case "timeout":
    case "network":
    case "bad_reply":
      return true;
    case "not_found":
    case "unauthorized":
    case "quota":
    case "http_4xx":
    case "invalid_draft":
    case "aborted":
    case "no_key":
    case "no_price":
    case "over_budget":
    case "tier_disabled":
    case "circuit_open":
    case "overrun":
      return false;
    default: {
      const never: never = code;
      return never;
    }
  }
}

export function disablesTier(code: FailureCode): code is TierOffCode {
  return (TIER_OFF_CODES as readonly FailureCode[]).includes(code);
}

/**
 * Whether a failure says something about the model's health, and so counts towards its
 * circuit breaker. Refusals made before any request, a stopped tick and a disabled tier do not.
 */
export function countsForBreaker(code: FailureCode): boolean {
  switch (code) {
    case "not_found":
    case "rate_limit":
    case "http_4xx":
    case "http_5xx":
    case "busy":
    case "timeout":
    case "network":
    case "bad_reply":
    case "invalid_draft":
      return true;
    case "unauthorized":
    case "quota":
    case "aborted":
    case "no_key":
    case "no_price":
    case "over_budget":
    case "tier_disabled":
    case "circuit_open":
    case "overrun":
      return false;
    default: {
      const never: never = code;
      return never;
    }
  }
}

/** Classifies a failed fetch that got no HTTP answer: the tick's stop, a deadline, or the network. */
export function classifyTransport(err: unknown, tickSignal: AbortSignal, reason: string): Failure {
  if (tickSignal.aborted) return { code: "aborted", reason };
  const e = err as { name?: string } | null;
  if (e?.name === "TimeoutError") return { code: "timeout", reason };
  if (e?.name === "SyntaxError") return { code: "bad_reply", reason: `unreadable reply: ${reason}` };
  return { code: "network", reason };
}

/** Classifies an HTTP error status (both Ollama and OpenAI-compatible servers). */
export function classifyStatus(
  status: number,
  reason: string,
  providerCode: string | null = null,
  retryAfterMs?: number,
): Failure {
  const r = `${status}: ${reason}`;
  if (status === 401 || status === 403) return { code: "unauthorized", reason: r };
  if (status === 404) return { code: "not_found", reason: r };
  if (status === 429) {
    if (providerCode === "insufficient_quota") return { code: "quota", reason: r };
    return retryAfterMs === undefined
      ? { code: "rate_limit", reason: r }
      : { code: "rate_limit", reason: r, retryAfterMs };
  }
  if (status === 408) return { code: "timeout", reason: r };
  if (status === 503) return { code: "busy", reason: r };
  if (status >= 500) return { code: "http_5xx", reason: r };
  return { code: "http_4xx", reason: r };
}
