import { HttpStatusError } from "./http.ts";
import type { FeedError } from "./types.ts";

/** Network errors, 5xx and 429 may pass on their own; everything else will fail the same way again. */
export function isTransient(err: FeedError): boolean {
  if (err.code === "network") return true;
  return err.code === "http_status" && err.status !== null && (err.status >= 500 || err.status === 429);
}

/** Pause before the single retry: the server's Retry-After if it gave one, else a short fixed wait. */
export function retryDelay(err: FeedError, fallbackMs = 200): number {
  return err instanceof HttpStatusError && err.retryAfterMs !== null ? err.retryAfterMs : fallbackMs;
}

/**
 * Whether a retry fits the source's time budget: after the wait at least a third of the whole
 * budget must remain, so the retry has a real chance instead of being cut off by the deadline.
 */
export function retryFits(delayMs: number, remainingMs: number, budgetMs: number): boolean {
  return remainingMs - delayMs >= budgetMs / 3;
}
