import type { SourceResult } from "../../sources/types.ts";
import type { TickScope } from "../context.ts";
import type { TickSummary } from "../tick-row.ts";

type FailedSource = TickSummary["failedSources"][number];

/** The fetch step's results: every source's, the failed ones, and those of them not optional. */
export interface Fetched {
  results: SourceResult[];
  failedSources: FailedSource[];
  requiredDown: FailedSource[];
}

/** Fetches every source of the spec under the `fetch` span; a source that fails is recorded, not thrown. */
export async function fetchStep(t: TickScope): Promise<Fetched> {
  const { ctx } = t;
  const results = await t.step("fetch", (span) =>
    ctx.fetchSources({
      loaded: ctx.loaded,
      db: ctx.db,
      deps: ctx.deps,
      span,
      signal: ctx.signal,
      version: ctx.version,
    }),
  );
  const failedSources = results.flatMap((r) =>
    r.ok ? [] : [{ id: r.sourceId, code: r.code, error: r.error, optional: r.optional }],
  );
  return { results, failedSources, requiredDown: failedSources.filter((f) => !f.optional) };
}

/** Why the tick fails when no source answered, or null when one did. */
export function everySourceFailed(f: Fetched): string | null {
  if (!f.results.every((r) => !r.ok)) return null;
  return `every source failed: ${f.failedSources.map((s) => `${s.id} (${s.code})`).join(", ")}`;
}

/** The reason line for each required source that is down. */
export function requiredDownReasons(f: Pick<Fetched, "requiredDown">): string[] {
  return f.requiredDown.map((s) => `required source ${s.id} failed (${s.code}: ${s.error})`);
}
