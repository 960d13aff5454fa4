import { sqlIn } from "../../core/status.ts";
import { TIER_OFF_CODES } from "../../models/failure.ts";
import type { Migration } from "../migrate.ts";

/** Tables owned by the models ring. Append only: never edit a migration that has shipped. */
export const modelsMigrations: Migration[] = [
  {
    id: "models-001",
    sql: `
-- A tier switched off for the rest of a day (spec time zone) by a 401 or an exhausted quota.
CREATE TABLE model_tier_off (
  link_id   TEXT NOT NULL,
  day       TEXT NOT NULL,                  -- YYYY-MM-DD in the spec's time zone
  code      TEXT NOT NULL CHECK (code IN (${sqlIn(TIER_OFF_CODES)})),
  reason    TEXT NOT NULL,
  tick_id   TEXT,
  at        TEXT NOT NULL,                  -- UTC ISO
  PRIMARY KEY (link_id, day)
);

-- Circuit breaker per model link: ticks failed in a row, and until when the link is skipped.
CREATE TABLE model_breaker (
  link_id       TEXT NOT NULL,
  model         TEXT NOT NULL,
  failed_ticks  INTEGER NOT NULL DEFAULT 0 CHECK (failed_ticks >= 0),
  open_until    TEXT,                       -- UTC ISO; NULL = closed
  last_code     TEXT,
  last_reason   TEXT,
  updated_at    TEXT NOT NULL,
  PRIMARY KEY (link_id, model)
);
`,
  },
];
