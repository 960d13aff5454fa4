import { FeedError } from "./types.ts";

/** What one attempt holds of the tick's fetch budget. */
export interface BudgetLease {
  /** The whole tick's budget in bytes, for the error message. */
  readonly limit: number;
  /** Takes `bytes` more; false, taking nothing, when that would put the tick past its budget. */
  claim(bytes: number): boolean;
  /** Gives back everything this lease holds. Safe to call more than once. */
  release(): void;
}

/** Bytes buffered by all of a tick's in-flight reads together, shared by every source. */
export interface FetchBudget {
  readonly limit: number;
  /** Bytes held right now. */
  held(): number;
  lease(): BudgetLease;
}

/**
 * The tick's fetch budget. Each source's `max_bytes` caps one body; this caps what all sources in
 * flight buffer at once, so memory stays bounded however many sources are fetched concurrently.
 * Bytes are claimed as they arrive (a body framed by its Content-Length: all at once, before it is
 * read) and given back when the attempt is done with its body.
 */
export function fetchBudget(limit: number): FetchBudget {
  let held = 0;
  return {
    limit,
    held: () => held,
    lease() {
      let mine = 0;
      return {
        limit,
        claim(bytes) {
          if (held + bytes > limit) return false;
          held += bytes;
          mine += bytes;
          return true;
        },
        release() {
          held -= mine;
          mine = 0;
        },
      };
    },
  };
}

/** The `too_large` failure of a source refused for the tick's budget rather than its own `max_bytes`. */
export function overBudget(limit: number): FeedError {
  return new FeedError(
    "too_large",
    `tick fetch budget exceeded: the sources in flight may buffer ${limit} bytes together (limits.fetch_buffer_bytes)`,
  );
}
