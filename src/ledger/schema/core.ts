import { sqlIn, TICK_STATUSES, TRIGGERS } from "../../core/status.ts";
import { MIGRATION_COMPAT } from "../compat.ts";
import type { Migration } from "../migrate.ts";
import { widenCheck } from "../widen-check.ts";
import { DAY_TOTALS_SQL } from "./day-totals.ts";
import { ledgerInsertTrigger } from "./ledger-insert.ts";
import { widenTierOffCodes } from "./models.ts";
import { TOTALS_SQL } from "./totals.ts";

/** The lab's "insert spend by hand", as core-002 and core-004 created it (models-002 renames its outcome). */
const LEDGER_INSERT_TRIGGER = ledgerInsertTrigger("inserted by hand");

/** Ticks, model calls (spend lives here) and delivered item identities. */
export const coreMigrations: Migration[] = [
  {
    id: "core-001",
    // older afk: the base tables; nothing older exists that could read a ledger without them
    compat: "breaking",
    sql: `
CREATE TABLE ticks (
  id            TEXT PRIMARY KEY,
  slot          TEXT NOT NULL,                -- the cadence slot (UTC ISO) this tick serves
  trigger       TEXT NOT NULL CHECK (trigger IN (${sqlIn(TRIGGERS)})),
  status        TEXT NOT NULL CHECK (status IN (${sqlIn(TICK_STATUSES)})),
  day           TEXT NOT NULL,                -- YYYY-MM-DD in the spec's time zone
  started_at    TEXT NOT NULL,                -- UTC ISO
  ended_at      TEXT,
  pid           INTEGER NOT NULL,
  version       TEXT NOT NULL,
  spec_hash     TEXT NOT NULL,
  spec_origin   TEXT NOT NULL,                -- 'embedded' or 'file:<path>'
  value_micros  INTEGER NOT NULL DEFAULT 0 CHECK (value_micros >= 0),
  items         INTEGER NOT NULL DEFAULT 0,
  model         TEXT,                         -- the chain link that wrote the digest
  out_path      TEXT,
  trace_path    TEXT,
  reason        TEXT,                         -- why not ok, in words
  detail        TEXT NOT NULL DEFAULT '{}'    -- JSON: failed sources, fallbacks
);
CREATE INDEX ticks_day ON ticks(day);
CREATE INDEX ticks_slot ON ticks(slot);
CREATE INDEX ticks_status ON ticks(status);

-- Every model attempt, free or paid. Spend is here: a reserved call counts at its reservation
-- until settled, so a crash between request and settlement never hides spend from the cap.
CREATE TABLE calls (
  id               INTEGER PRIMARY KEY,
  tick_id          TEXT NOT NULL REFERENCES ticks(id),
  day              TEXT NOT NULL,
  link_id          TEXT NOT NULL,
  kind             TEXT NOT NULL,
  model            TEXT,
  attempt          INTEGER NOT NULL DEFAULT 1,
  state            TEXT NOT NULL CHECK (state IN ('reserved','settled','charged_full','free')),
  reserved_micros  INTEGER NOT NULL DEFAULT 0 CHECK (reserved_micros >= 0),
  cost_micros      INTEGER NOT NULL DEFAULT 0 CHECK (cost_micros >= 0),
  shadow_micros    INTEGER NOT NULL DEFAULT 0 CHECK (shadow_micros >= 0),
  tokens_in        INTEGER,                   -- NULL = unknown, not zero
  tokens_out       INTEGER,
  outcome          TEXT,
  started_at       TEXT NOT NULL,
  ended_at         TEXT
);
CREATE INDEX calls_day ON calls(day);
CREATE INDEX calls_tick ON calls(tick_id);

CREATE TABLE delivered_items (
  identity      TEXT PRIMARY KEY,             -- guid/id, else normalised link
  tick_id       TEXT NOT NULL,
  delivered_at  TEXT NOT NULL
);
CREATE INDEX delivered_items_at ON delivered_items(delivered_at);

-- The lab's view: usd_in and value_usd as real USD for the plain sqlite3 client.
CREATE VIEW ledger AS
SELECT t.id AS tick_id, t.started_at AS ts, t.day, t.slot, t.trigger, t.status,
       (SELECT coalesce(sum(CASE WHEN c.state = 'reserved' THEN c.reserved_micros ELSE c.cost_micros END), 0)
          FROM calls c WHERE c.tick_id = t.id) / 1000000.0 AS usd_in,
       t.value_micros / 1000000.0 AS value_usd,
       (SELECT coalesce(sum(c.shadow_micros), 0) FROM calls c WHERE c.tick_id = t.id) / 1000000.0 AS shadow_usd,
       t.items, t.model, t.reason, t.out_path, t.trace_path, t.version, t.spec_hash, t.spec_origin
  FROM ticks t;
`,
  },
  {
    id: "core-002",
    // older afk: an INSTEAD OF trigger on the lab view, fired only by a hand insert
    compat: "additive",
    // The lab seeds spend by hand ("the ledger reports 999 spent"): an insert into the view
    // becomes one closed tick row and one settled call carrying that cost, so the cap sees it.
    sql: LEDGER_INSERT_TRIGGER,
  },
  {
    id: "core-003",
    // older afk: indexes only
    compat: "additive",
    // Measured (bench status_json_rps): "the last tick" sorted every row without this index,
    // and today's totals read whole rows; covering indexes answer both from the index alone.
    sql: `
CREATE INDEX ticks_started_at ON ticks(started_at);
CREATE INDEX ticks_day_status_value ON ticks(day, status, value_micros);
CREATE INDEX calls_day_spend ON calls(day, state, reserved_micros, cost_micros, shadow_micros);
`,
  },
  {
    id: "core-004",
    // older afk: a new view; the lab view is rebuilt with the same columns
    compat: "additive",
    // The spend formula, once: a call costs what it settled at, or its whole reservation while
    // open (a crash between request and settlement never hides spend). Every spend query reads
    // this view; the lab's ledger view is rebuilt over it (its insert trigger goes with it).
    sql: `
CREATE VIEW call_spend AS
SELECT id, tick_id, day, state, shadow_micros,
       CASE WHEN state = 'reserved' THEN reserved_micros ELSE cost_micros END AS spend_micros
  FROM calls;

DROP VIEW ledger;
CREATE VIEW ledger AS
SELECT t.id AS tick_id, t.started_at AS ts, t.day, t.slot, t.trigger, t.status,
       (SELECT coalesce(sum(c.spend_micros), 0) FROM call_spend c WHERE c.tick_id = t.id) / 1000000.0 AS usd_in,
       t.value_micros / 1000000.0 AS value_usd,
       (SELECT coalesce(sum(c.shadow_micros), 0) FROM calls c WHERE c.tick_id = t.id) / 1000000.0 AS shadow_usd,
       t.items, t.model, t.reason, t.out_path, t.trace_path, t.version, t.spec_hash, t.spec_origin
  FROM ticks t;
${LEDGER_INSERT_TRIGGER}`,
  },
  {
    id: "core-005",
    // older afk: new tables it never reads; their triggers accept every row it writes
    compat: "additive",
    // /metrics read every tick and call row on each scrape (~0.6 s at 1M ticks): all-time totals
    // are now kept by triggers as each row is written, seeded once here from the rows already kept.
    sql: TOTALS_SQL,
  },
  {
    id: "core-006",
    // older afk: ticks hold `quiet` and tier-offs `overrun`, which its closed sets cannot name
    compat: "breaking",
    // A quiet tick (too few new items, sources healthy) is its own outcome, not `failed`; the
    // models ring's tier-off reasons gain `overrun` (a provider billed beyond the request's
    // maximum). SQLite cannot alter a CHECK: both tables are rebuilt around the wider set.
    apply: (db) => {
      widenCheck(db, "ticks", "status", TICK_STATUSES);
      widenTierOffCodes(db);
    },
  },
  {
    id: "core-007",
    // older afk: a nullable column it never reads (one that predates this refuses every unknown id)
    compat: "additive",
    // Each applied migration says whether an older afk may still open the ledger after it
    // (ledger/compat.ts): a rolled-back afk opens a ledger whose unknown migrations are all
    // additive. migrate() fills it for the rows applied before and for each one from now on.
    sql: `ALTER TABLE schema_migrations ADD COLUMN compat TEXT CHECK (compat IN (${sqlIn(MIGRATION_COMPAT)}));`,
  },
  {
    id: "core-008",
    // older afk: new tables it never reads; their triggers accept every row it writes
    compat: "additive",
    // A cold `afk status` spent ~1 ms of its ~13 aggregating today's ticks and calls (dayTotals):
    // per-day totals are now kept by triggers as each row is written, seeded once here from the rows.
    sql: DAY_TOTALS_SQL,
  },
];
