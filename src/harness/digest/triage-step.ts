import { deliveredIdentities } from "../../ledger/ticks.ts";
import type { SourceResult } from "../../sources/types.ts";
import type { TickScope } from "../context.ts";
import type { NoUnit } from "../job.ts";
import { type Triaged, triage } from "../triage.ts";
import { type Fetched, requiredDownReasons } from "./fetch-step.ts";

/** Picks the tick's candidates from every fetched item under the `triage` span, skipping what was delivered before. */
export function triageStep(t: TickScope, results: readonly SourceResult[]): Promise<Triaged> {
  const { ctx } = t;
  const { spec } = ctx.loaded;
  return t.step("triage", async (span) => {
    const items = results.flatMap((r) => (r.ok ? r.items : []));
    const delivered = deliveredIdentities(
      ctx.db,
      items.map((i) => i.identity),
    );
    const out = triage(items, delivered, {
      maxItems: spec.triage.max_items,
      keywords: spec.triage.keywords,
      maxAgeHours: spec.triage.max_age_hours,
      now: ctx.deps.clock.now(),
    });
    span.set({
      items_in: items.length,
      candidates: out.candidates.length,
      already_delivered: out.alreadyDelivered,
      duplicates: out.duplicates,
      linkless: out.linkless,
    });
    return out;
  });
}

/**
 * Fewer candidates than `min_items`: from healthy sources a quiet morning, not a failure; with a
 * required source down, the missing items may be that source's, so the tick failed. Null: enough.
 */
export function tooFewItems(candidates: number, minItems: number, fetched: Fetched): NoUnit | null {
  if (candidates >= minItems) return null;
  const few = `only ${candidates} new items (min_items ${minItems}); no digest written`;
  if (fetched.requiredDown.length === 0)
    return { ok: false, status: "quiet", items: candidates, reason: `quiet: ${few}` };
  return {
    ok: false,
    status: "failed",
    items: candidates,
    reason: `${few}; ${requiredDownReasons(fetched).join("; ")}`,
  };
}
