import { synthesize } from "../../models/chain.ts";
import type { ChainResult } from "../../models/types.ts";
import type { FeedItem } from "../../sources/types.ts";
import type { TickScope } from "../context.ts";

/** Drafts the digest down the spec's model chain under the `synthesize` span (paid calls reserved first). */
export function synthesizeStep(
  t: TickScope,
  candidates: readonly FeedItem[],
  title: string,
): Promise<ChainResult> {
  const { ctx } = t;
  return t.step("synthesize", async (span) => {
    const r = await synthesize(
      { candidates, title },
      {
        loaded: ctx.loaded,
        db: ctx.db,
        deps: ctx.deps,
        span,
        signal: ctx.signal,
        tickId: t.tickId,
        day: t.day,
        capMicros: ctx.capMicros,
      },
      ctx.callers,
    );
    span.set({ link: r.link.id, fallbacks: r.fallbacks.length });
    return r;
  });
}
