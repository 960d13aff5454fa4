import type { Database } from "bun:sqlite";
import { sqlIn } from "../../core/status.ts";
import { CALL_OUTCOMES, knownOutcome } from "../../models/call-outcome.ts";
import { TIER_OFF_CODES } from "../../models/failure.ts";
import { checkByTrigger } from "../check-trigger.ts";
import type { Migration } from "../migrate.ts";
import { widenCheck } from "../widen-check.ts";
import { ledgerInsertTrigger } from "./ledger-insert.ts";

/** Rebuilds `model_tier_off` around today's tier-off codes (core-006 runs it; the set is this ring's). */
export function widenTierOffCodes(db: Database): void {
  widenCheck(db, "model_tier_off", "code", TIER_OFF_CODES);
}

/** Tables owned by the models ring. Append only: never edit a migration that has shipped. */
export const modelsMigrations: Migration[] = [
  {
    id: "models-001",
    // older afk: new tables it never touches
    compat: "additive",
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
  {
    id: "models-002",
    // older afk: its triggers refuse no word an afk since core-006 writes (each outcome the code
    // before models-002 wrote is in the set); the lab view's hand insert is the ledger's own
    // trigger, which now writes `manual` whichever afk runs
    compat: "additive",
    // calls.outcome becomes a closed set (models/call-outcome.ts). First every word an older afk
    // wrote is mapped into it (`inserted by hand` → manual, any other → unknown) and the lab
    // view's insert trigger writes `manual`; then two triggers refuse any other word. No table
    // rebuild: core-005's totals triggers on calls stay as they are.
    apply: (db) => {
      const words = db
        .query<{ outcome: string }, []>("SELECT DISTINCT outcome FROM calls WHERE outcome IS NOT NULL")
        .all();
      const rename = db.query("UPDATE calls SET outcome = ? WHERE outcome = ?");
      for (const { outcome } of words) {
        const known = knownOutcome(outcome);
        if (known !== outcome) rename.run(known, outcome);
      }
      db.run("DROP TRIGGER IF EXISTS ledger_insert");
      db.run(ledgerInsertTrigger("manual"));
      checkByTrigger(db, "calls", "outcome", CALL_OUTCOMES);
    },
  },
];
