import type { Database } from "bun:sqlite";

/** The unattended clock's row (table status_clock): Day 0 and the last day the run log covers. */
export interface ClockState {
  started_at: string;
  start_day: string;
  last_logged_day: string | null;
}

export function readClock(db: Database): ClockState | null {
  return db
    .query<ClockState, []>("SELECT started_at, start_day, last_logged_day FROM status_clock WHERE id = 1")
    .get();
}

/** Records the clock's start; false when a clock already runs (it is never silently restarted). */
export function insertClock(db: Database, startedAt: string, startDay: string): boolean {
  const res = db
    .query("INSERT OR IGNORE INTO status_clock (id, started_at, start_day) VALUES (1, ?, ?)")
    .run(startedAt, startDay);
  return res.changes === 1;
}

export function markLogged(db: Database, day: string): void {
  db.query("UPDATE status_clock SET last_logged_day = ? WHERE id = 1").run(day);
}
