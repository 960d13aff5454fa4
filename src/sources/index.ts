import { fetchBudget } from "./byte-budget.ts";
import { type HealthRecord, readStoredValidators, recordHealthAll, type StoredValidators } from "./health.ts";
import { mapLimit } from "./limit.ts";
import type { SharedFetch } from "./shared.ts";
import { fetchSource } from "./source.ts";
import type { FetchContext, SourceResult } from "./types.ts";

export { pruneDelivered } from "./dedupe.ts";
export { readSourceHealth, type SourceHealth } from "./health.ts";

/**
 * Sources fetched at once; the rest queue. This bounds sockets, not memory (the tick's fetch
 * budget, `limits.fetch_buffer_bytes`, does that), so it is set above any digest's source count.
 */
export const SOURCE_CONCURRENCY = 128;

/**
 * Fetches every source of the spec concurrently (at most SOURCE_CONCURRENCY at once), in spec order,
 * all sharing one fetch budget of `limits.fetch_buffer_bytes` and the validators stored when it began.
 * Never throws: each source ends in an ok result (normalised items, or `notModified`) or a failed
 * result with a FeedError code and a trace event on its own child span of `ctx.span`.
 * Every source's outcome is written to `source_health` in one transaction once all have ended; a
 * ledger that refuses it costs the health rows (a `health_write_failed` event), never the items.
 */
export async function fetchSources(ctx: FetchContext): Promise<SourceResult[]> {
  const health: HealthRecord[] = [];
  const shared: SharedFetch = {
    budget: fetchBudget(ctx.loaded.spec.limits.fetch_buffer_bytes),
    health,
    validators: storedValidators(ctx),
  };
  const results = await mapLimit(ctx.loaded.spec.sources, SOURCE_CONCURRENCY, (source) =>
    fetchSource(source, ctx, shared),
  );
  try {
    recordHealthAll(ctx.db, health);
  } catch (err) {
    ctx.span.event("health_write_failed", { sources: health.map((h) => h.sourceId) }, err);
  }
  return results;
}

/** The stored validators; a ledger that cannot be read costs only the conditional GETs, never the fetch. */
function storedValidators(ctx: FetchContext): StoredValidators {
  try {
    return readStoredValidators(ctx.db);
  } catch (err) {
    ctx.span.event("health_read_failed", {}, err);
    return new Map();
  }
}
