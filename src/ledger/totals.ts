import type { Database } from "bun:sqlite";
import type { ClosedStatus } from "../core/status.ts";

/**
 * Readers of the all-time totals the ledger keeps by trigger (schema/totals.ts, core-005, and
 * schema/metrics.ts, status-003): each reads a handful of rows, whatever the ledger's size.
 */

export interface TickTotal {
  status: ClosedStatus;
  ticks: number;
  value_micros: number;
  last_ended_at: string | null;
}

export function tickTotals(db: Database): TickTotal[] {
  return db.query<TickTotal, []>("SELECT status, ticks, value_micros, last_ended_at FROM totals_ticks").all();
}

export interface CallTotal {
  link_id: string;
  kind: string;
  calls: number;
  spent_micros: number;
  reserved_micros: number;
  shadow_micros: number;
  tokens_in: number;
  tokens_out: number;
}

export function callTotals(db: Database): CallTotal[] {
  return db.query<CallTotal, []>("SELECT * FROM totals_calls ORDER BY link_id, kind").all();
}

/** Tick-duration buckets, ascending, each with its own count (not cumulative); the last `le` is Infinity. */
export function tickSecondsBuckets(db: Database): { le: number; ticks: number; seconds: number }[] {
  return db
    .query<{ le: number; ticks: number; seconds: number }, []>(
      "SELECT le, ticks, seconds FROM metrics_tick_seconds ORDER BY le",
    )
    .all();
}

export function fallbackTotals(db: Database): { from_link: string; to_link: string; n: number }[] {
  return db
    .query<{ from_link: string; to_link: string; n: number }, []>(
      "SELECT from_link, to_link, n FROM metrics_fallbacks ORDER BY from_link, to_link",
    )
    .all();
}

export function sourceFailureTotals(db: Database): Record<string, number> {
  const rows = db
    .query<{ source_id: string; n: number }, []>("SELECT source_id, n FROM metrics_source_failures")
    .all();
  return Object.fromEntries(rows.map((r) => [r.source_id, r.n]));
}

/** Rows still `running` (an index seek): a state, reported as a gauge, never as a counter. */
export function runningTicks(db: Database): number {
  return (
    db.query<{ n: number }, []>("SELECT count(*) AS n FROM ticks WHERE status = 'running'").get()?.n ?? 0
  );
}
