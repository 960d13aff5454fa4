import { mapLimit } from "./limit.ts";
import { fetchSource } from "./source.ts";
import type { FetchContext, SourceResult } from "./types.ts";

export { pruneDelivered } from "./dedupe.ts";
export { readSourceHealth, type SourceHealth } from "./health.ts";

/** Sources fetched at once; the rest queue. Enough for any digest, few enough for a small VM. */
export const SOURCE_CONCURRENCY = 16;

/**
 * Fetches every source of the spec concurrently (at most SOURCE_CONCURRENCY at once), in spec order.
 * Never throws: each source ends in an ok result (normalised items, or `notModified`) or a failed
 * result with a FeedError code and a trace event on its own child span of `ctx.span`.
 */
export function fetchSources(ctx: FetchContext): Promise<SourceResult[]> {
  return mapLimit(ctx.loaded.spec.sources, SOURCE_CONCURRENCY, (source) => fetchSource(source, ctx));
}
