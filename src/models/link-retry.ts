import { sleep } from "../core/wait.ts";
import { type Failure, isTransient } from "./failure.ts";
import type { ChainContext } from "./types.ts";

/** Backoff before retry `attempt` (1-based): 0.5 s, 1 s, 2 s… capped at 5 s. */
export function backoffMs(attempt: number): number {
  return Math.min(500 * 2 ** (attempt - 1), 5000);
}

export type AttemptResult<T> = { ok: true; value: T } | { ok: false; failure: Failure };

/**
 * Runs `once(attempt)` up to `retries + 1` times. Only transient failures are retried; the
 * wait is the provider's Retry-After when it gave one, else the backoff. A wait that would
 * run past the tick's deadline is not made: the link hands over instead, and the trace says so.
 */
export async function withRetries<T>(
  ctx: ChainContext,
  link: { id: string; retries: number },
  once: (attempt: number) => Promise<AttemptResult<T>>,
): Promise<AttemptResult<T>> {
  const deadline = ctx.deadline ?? Number.POSITIVE_INFINITY;
  for (let attempt = 1; ; attempt++) {
    const r = await once(attempt);
    if (r.ok || !isTransient(r.failure.code) || attempt > link.retries || ctx.signal.aborted) return r;
    const wait = r.failure.retryAfterMs ?? backoffMs(attempt);
    const left = deadline - ctx.deps.clock.now().getTime();
    if (wait >= left) {
      ctx.span.event("model.retry_skipped", {
        link: link.id,
        attempt,
        code: r.failure.code,
        wait_ms: wait,
        left_ms: Math.max(0, left),
        reason: "the wait would run past the tick's deadline",
      });
      return r;
    }
    ctx.span.event("model.retry", {
      link: link.id,
      after_attempt: attempt,
      code: r.failure.code,
      wait_ms: wait,
      retry_after: r.failure.retryAfterMs !== undefined,
    });
    await sleep(wait, ctx.signal);
    if (ctx.signal.aborted) return r;
  }
}
