import type { Migration } from "../migrate.ts";

/** Tables owned by the sources ring. Append only: never edit a migration that has shipped. */
export const sourcesMigrations: Migration[] = [
  {
    id: "sources-001",
    // older afk: a new table it never touches
    compat: "additive",
    sql: `
-- One row per source id: how its last fetch went, for the status page and for conditional GET.
CREATE TABLE source_health (
  source_id             TEXT PRIMARY KEY,
  consecutive_failures  INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
  last_attempt_at       TEXT,                 -- UTC ISO
  last_success_at       TEXT,                 -- UTC ISO; a 304 counts as success
  last_outcome          TEXT CHECK (last_outcome IN ('ok', 'not_modified', 'failed')),
  last_status           INTEGER,              -- HTTP status of the last attempt; NULL for local files and network errors
  last_code             TEXT,                 -- FeedError code of the last failure, NULL after a success
  last_error            TEXT,                 -- message of the last failure, NULL after a success
  last_via              TEXT CHECK (last_via IN ('primary', 'backup')),
  last_items            INTEGER,
  etag                  TEXT,                 -- validators of the last 200 from validators_url
  last_modified         TEXT,
  validators_url        TEXT
);
`,
  },
];
