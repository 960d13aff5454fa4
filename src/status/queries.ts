import type { Database } from "bun:sqlite";
import { DELIVERED_SQL, sqlIn, type TickStatus, WORK_STATUSES } from "../core/status.ts";
import type { TickRow } from "../ledger/ticks.ts";

/** Read-only queries the operator surface runs against the ledger (WAL: never blocks serve). */

export interface DayTotals {
  day: string;
  ticks: number;
  byStatus: Record<string, number>;
  spendMicros: number;
  valueMicros: number;
  shadowMicros: number;
}

/**
 * Ticks, spend (settled + open reservations), value and shadow cost per day, for each day asked:
 * one range read of the per-day totals the ledger keeps by trigger (core-008, schema/day-totals.ts),
 * whatever the number of rows. `byStatus` lists the statuses with rows, in status order.
 */
export function dayTotals(db: Database, days: readonly string[]): DayTotals[] {
  if (days.length === 0) return [];
  const sorted = [...days].sort();
  const first = sorted[0] as string;
  const last = sorted[sorted.length - 1] as string;
  const out = new Map<string, DayTotals>(
    days.map((day) => [
      day,
      { day, ticks: 0, byStatus: {}, spendMicros: 0, valueMicros: 0, shadowMicros: 0 },
    ]),
  );
  // a (day, status) whose rows all moved away stays at zero: it is no status of that day
  const ticks = db
    .query<{ day: string; status: TickStatus; n: number; value: number }, [string, string]>(
      `SELECT day, status, ticks AS n, value_micros AS value
       FROM totals_day_ticks WHERE day BETWEEN ? AND ? AND ticks <> 0 ORDER BY day, status`,
    )
    .all(first, last);
  for (const r of ticks) {
    const t = out.get(r.day);
    if (!t) continue;
    t.ticks += r.n;
    t.byStatus[r.status] = r.n;
    t.valueMicros += r.value;
  }
  const calls = db
    .query<{ day: string; spend: number; shadow: number }, [string, string]>(
      "SELECT day, spend_micros AS spend, shadow_micros AS shadow FROM totals_day_calls WHERE day BETWEEN ? AND ?",
    )
    .all(first, last);
  for (const r of calls) {
    const t = out.get(r.day);
    if (!t) continue;
    t.spendMicros = r.spend;
    t.shadowMicros = r.shadow;
  }
  return days.map((d) => out.get(d) as DayTotals);
}

export function recentTicks(db: Database, limit: number): TickRow[] {
  return db
    .query<TickRow, [number]>("SELECT * FROM ticks ORDER BY started_at DESC, rowid DESC LIMIT ?")
    .all(limit);
}

/**
 * "The newest tick whose status is one of these": walked newest first on the started_at index until
 * one matches. The unary `+` keeps SQLite off the status index, through which it would fetch every
 * such tick the ledger ever held and sort them all for one row (a cold `afk status` on a ledger of
 * 10,000 ticks whose newest are skips: 12 ms). tests/status/query-plans.test.ts holds the plan.
 */
export const LAST_DELIVERED_SQL = `SELECT * FROM ticks WHERE +status IN ${DELIVERED_SQL} AND out_path IS NOT NULL
       ORDER BY started_at DESC, rowid DESC LIMIT 1`;
export const LAST_WORK_SQL = `SELECT * FROM ticks WHERE +status IN (${sqlIn(WORK_STATUSES)})
       ORDER BY started_at DESC, rowid DESC LIMIT 1`;

/** The newest tick that delivered a digest (its file is the latest digest). */
export function lastDelivered(db: Database): TickRow | null {
  return db.query<TickRow, []>(LAST_DELIVERED_SQL).get();
}

export interface SourceHealthView {
  source_id: string;
  consecutive_failures: number;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_outcome: string | null;
  last_code: string | null;
  last_error: string | null;
}

/**
 * What the sources ring recorded per source (table `source_health`), or null when this ledger
 * has no such table (an older ledger): the page then says "no data".
 */
export function sourceHealth(db: Database): SourceHealthView[] | null {
  const table = db
    .query<{ n: number }, []>(
      "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'source_health'",
    )
    .get();
  if (!table?.n) return null;
  return db
    .query<SourceHealthView, []>(
      `SELECT source_id, consecutive_failures, last_attempt_at, last_success_at, last_outcome, last_code, last_error
       FROM source_health ORDER BY source_id`,
    )
    .all();
}

/** detail JSON of a tick row, tolerant of rows written before a field existed. */
export interface TickDetail {
  fallbacks: { from: string; to: string; reason: string }[];
  failed_sources: { id: string; code: string; error: string; optional?: boolean }[];
}

export function tickDetail(row: Pick<TickRow, "detail">): TickDetail {
  try {
    const d = JSON.parse(row.detail) as Partial<TickDetail>;
    return {
      fallbacks: Array.isArray(d.fallbacks) ? d.fallbacks : [],
      failed_sources: Array.isArray(d.failed_sources) ? d.failed_sources : [],
    };
  } catch {
    // a row whose detail is not JSON still shows; its reason column carries the words
    return { fallbacks: [], failed_sources: [] };
  }
}

/** The newest tick that ran the job, skipping refusals, halts, skips and operator kills. */
export function lastWorkTick(db: Database): TickRow | null {
  return db.query<TickRow, []>(LAST_WORK_SQL).get();
}

/** Whether the ledger holds a tick (any status) for a slot. */
export interface ServeSession {
  pid: number;
  started_at: string;
  ended_at: string | null;
  stop_reason: string | null;
  exit_code: number | null;
}

/** The newest `afk serve` session recorded in this ledger. */
export function lastServeSession(db: Database): ServeSession | null {
  return db
    .query<ServeSession, []>(
      "SELECT pid, started_at, ended_at, stop_reason, exit_code FROM runner_sessions ORDER BY started_at DESC, rowid DESC LIMIT 1",
    )
    .get();
}
