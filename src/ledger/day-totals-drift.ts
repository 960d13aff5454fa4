import type { Database } from "bun:sqlite";

/**
 * Where the per-day totals the triggers keep (core-008, schema/day-totals.ts) disagree with a fresh
 * aggregate of the rows: one entry per table and day (`totals_day_ticks 2026-03-02`), sorted; empty
 * when they agree. Reads every row, so it is for checks after the fact (the soak's invariants), never
 * for a reader. Rows kept at zero match no rows.
 */
export function dayTotalsDrift(db: Database): string[] {
  const days = (sql: string) =>
    db
      .query<{ day: string }, []>(sql)
      .all()
      .map((r) => r.day);
  const kept =
    "SELECT day, status, ticks, value_micros FROM totals_day_ticks WHERE ticks <> 0 OR value_micros <> 0";
  const rows = "SELECT day, status, count(*), sum(value_micros) FROM ticks GROUP BY day, status";
  const keptCalls =
    "SELECT day, spend_micros, shadow_micros FROM totals_day_calls WHERE spend_micros <> 0 OR shadow_micros <> 0";
  const callRows = `SELECT day, sum(spend_micros) AS spend, sum(shadow_micros) AS shadow FROM call_spend GROUP BY day
                     HAVING spend <> 0 OR shadow <> 0`;
  const ticks = days(
    `SELECT day FROM (${kept} EXCEPT ${rows}) UNION SELECT day FROM (${rows} EXCEPT ${kept})`,
  );
  const calls = days(
    `SELECT day FROM (${keptCalls} EXCEPT ${callRows}) UNION SELECT day FROM (${callRows} EXCEPT ${keptCalls})`,
  );
  return [...ticks.map((d) => `totals_day_ticks ${d}`), ...calls.map((d) => `totals_day_calls ${d}`)].sort();
}
