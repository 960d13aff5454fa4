import type { Migration } from "../migrate.ts";
import { METRICS_SQL } from "./metrics.ts";

/** Tables owned by the status ring. Append only: never edit a migration that has shipped. */
export const statusMigrations: Migration[] = [
  {
    id: "status-001",
    // older afk: new tables it never touches
    compat: "additive",
    sql: `
-- The unattended clock: when it started (Day 0) and the last day the run log has a Day line for.
CREATE TABLE status_clock (
  id               INTEGER PRIMARY KEY CHECK (id = 1),   -- one clock per home
  started_at       TEXT NOT NULL,                         -- UTC ISO
  start_day        TEXT NOT NULL,                         -- YYYY-MM-DD in the spec's time zone
  last_logged_day  TEXT                                   -- last day with a Day N line in runs/run-log.md
);

-- Watchdog alerts: one row per raise; resolved_at set when value lands again.
CREATE TABLE status_alerts (
  id            INTEGER PRIMARY KEY,
  raised_at     TEXT NOT NULL,          -- UTC ISO
  since_at      TEXT NOT NULL,          -- start of the first tick without value in the streak
  empty_ticks   INTEGER NOT NULL,       -- ticks in a row without value when last updated
  last_tick_id  TEXT NOT NULL,
  resolved_at   TEXT,
  resolved_by   TEXT                    -- the tick whose value cleared it
);
CREATE INDEX status_alerts_open ON status_alerts(resolved_at);
`,
  },
  {
    id: "status-002",
    // older afk: an index only
    compat: "additive",
    // Unattended days asks, per day since Day 0, whether any runner or manual tick exists: with
    // this index each answer is one seek, not a read of every tick row of that day.
    sql: `
CREATE INDEX ticks_day_trigger ON ticks(day, trigger);
`,
  },
  {
    id: "status-003",
    // older afk: new tables and triggers counting closed ticks; they refuse nothing
    compat: "additive",
    // /metrics at 1M ticks read every row and parsed every detail JSON per scrape (~0.6 s): the
    // duration histogram, fallbacks and source failures are counted as each tick closes.
    sql: METRICS_SQL,
  },
];
