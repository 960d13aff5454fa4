import type { Migration } from "../migrate.ts";

/** Tables owned by the runner ring. Append only: never edit a migration that has shipped. */
export const runnerMigrations: Migration[] = [
  {
    id: "runner-001",
    // older afk: new tables it never touches (it takes no overlap lock: fine once the newer afk is stopped)
    compat: "additive",
    sql: `
-- One tick at a time across processes: the holder of the row named 'tick' runs the tick.
-- Taken in a BEGIN IMMEDIATE transaction; stolen when its pid is gone, when the pid was
-- reused by a later afk (session differs), or when it is older than the longest tick can be.
CREATE TABLE runner_lock (
  name         TEXT PRIMARY KEY,
  pid          INTEGER NOT NULL,
  session      TEXT NOT NULL,                -- random per process: tells a reused pid apart
  tick_id      TEXT NOT NULL,
  slot         TEXT NOT NULL,
  acquired_at  TEXT NOT NULL                 -- UTC ISO
);

-- Each catch-up tick and the slots it stood in for (the host was down or the process died).
CREATE TABLE runner_catchups (
  tick_id       TEXT PRIMARY KEY,
  slot          TEXT NOT NULL,               -- the slot run (the latest one missed)
  decided_at    TEXT NOT NULL,
  missed_count  INTEGER NOT NULL CHECK (missed_count >= 1),
  missed_first  TEXT NOT NULL,
  missed_last   TEXT NOT NULL,
  missed        TEXT NOT NULL DEFAULT '[]'   -- JSON: up to 50 missed slots, oldest first
);

-- Each run of afk serve: when it started, how it stopped and with which exit code.
CREATE TABLE runner_sessions (
  session      TEXT PRIMARY KEY,
  pid          INTEGER NOT NULL,
  mode         TEXT NOT NULL,                -- 'cron <pattern> <tz>' or 'every <n>s'
  started_at   TEXT NOT NULL,
  ended_at     TEXT,
  stop_reason  TEXT,
  exit_code    INTEGER
);
`,
  },
];
