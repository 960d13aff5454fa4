import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../src/ledger/db.ts";
import { migrate } from "../../src/ledger/migrate.ts";
import { allMigrations } from "../../src/ledger/migrations.ts";
import { callTotals } from "../../src/ledger/totals.ts";
import { CALL_OUTCOMES, knownOutcome } from "../../src/models/call-outcome.ts";
import { CallOutcomeSchema } from "../../src/models/call-outcome-schema.ts";
import { recordFreeCall } from "../../src/models/calls.ts";
import { FAILURE_CODES } from "../../src/models/failure.ts";
import { tempHome } from "../support/home.ts";

const home = tempHome("afk-call-outcome-");
afterAll(home.cleanup);
let n = 0;
const fresh = () => join(home.dir, `ledger-${++n}.sqlite`);

const DAY = "2026-11-24";
const TICK = `INSERT INTO ticks (id, slot, trigger, status, day, started_at, ended_at, pid, version, spec_hash, spec_origin)
  VALUES ('t1', '${DAY}T07:00:00Z', 'schedule', 'ok', '${DAY}', '${DAY}T07:00:00Z', '${DAY}T07:01:00Z', 1, 'v', 'h', 'o')`;
const call = (outcome: string | null, state = "free") =>
  `INSERT INTO calls (tick_id, day, link_id, kind, model, state, tokens_in, started_at, outcome)
   VALUES ('t1', '${DAY}', 'primary', 'ollama', 'm', '${state}', 10, '${DAY}T07:00:01Z', ${outcome === null ? "NULL" : `'${outcome}'`})`;

const outcomes = (db: Database) =>
  db
    .query<{ id: number; outcome: string | null }, []>("SELECT id, outcome FROM calls ORDER BY id")
    .all()
    .map((r) => r.outcome);

const triggersOnCalls = (db: Database) =>
  db
    .query<{ name: string }, []>(
      "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'calls' ORDER BY name",
    )
    .all()
    .map((r) => r.name);

/** A ledger at the schema before models-002 (and core-008, which came later): what a host running the previous afk holds. */
function ledgerBeforeModels002(): string {
  const path = fresh();
  const db = new Database(path, { create: true, strict: true });
  db.run("PRAGMA foreign_keys = ON");
  migrate(
    db,
    allMigrations.filter((m) => !["models-002", "core-008"].includes(m.id)),
  );
  db.run(TICK);
  for (const o of ["ok", "timeout", "replied", "draft rejected", "no such word", null]) db.run(call(o));
  // the lab's insert by hand, through the view, as the previous afk wrote it
  db.run(`INSERT INTO ledger (ts, usd_in, value_usd) VALUES ('${DAY}T06:00:00Z', 0.25, 0)`);
  db.close();
  return path;
}

describe("calls.outcome is a closed set (models/call-outcome.ts), kept by triggers (models-002)", () => {
  test("the zod enum and the ledger's list are the same closed set, every failure code in it", () => {
    expect(CallOutcomeSchema.options).toEqual([...CALL_OUTCOMES]);
    for (const code of FAILURE_CODES) expect(CALL_OUTCOMES).toContain(code);
    expect(new Set(CALL_OUTCOMES).size).toBe(CALL_OUTCOMES.length);
  });

  test("an older afk's word maps as the zod enum reads it: a member stays, the lab's insert is manual, else unknown", () => {
    for (const word of [...CALL_OUTCOMES, "draft rejected", "no such word", "", "OK"]) {
      const parsed = CallOutcomeSchema.safeParse(word);
      expect(knownOutcome(word)).toBe(parsed.success ? parsed.data : "unknown");
    }
    expect(knownOutcome("inserted by hand")).toBe("manual");
  });

  test.each([...CALL_OUTCOMES])("a fresh ledger accepts the outcome %p", (outcome) => {
    const db = openDatabase(fresh());
    try {
      db.run(TICK);
      db.run(call(outcome));
      expect(outcomes(db)).toEqual([outcome]);
    } finally {
      db.close();
    }
  });

  test("any other word is refused on insert and on update, like a CHECK; NULL (a reservation still open) passes", () => {
    const db = openDatabase(fresh());
    try {
      db.run(TICK);
      expect(() => db.run(call("draft rejected"))).toThrow("CHECK constraint failed: calls.outcome");
      expect(() => db.run(call("OK"))).toThrow("CHECK constraint failed: calls.outcome");
      db.run(call(null, "reserved"));
      db.run(call("ok"));
      expect(() => db.run("UPDATE calls SET outcome = 'fine' WHERE outcome = 'ok'")).toThrow(
        "CHECK constraint failed: calls.outcome",
      );
      db.run("UPDATE calls SET outcome = 'crashed', state = 'charged_full' WHERE outcome IS NULL");
      expect(outcomes(db)).toEqual(["crashed", "ok"]);
      // the code's own writer goes through the same check
      expect(() =>
        recordFreeCall(db, {
          tickId: "t1",
          day: DAY,
          linkId: "x",
          kind: "ollama",
          model: "m",
          attempt: 1,
          tokensIn: null,
          tokensOut: null,
          shadowMicros: 0,
          outcome: "bogus" as "ok",
          startedAt: `${DAY}T07:00:02Z`,
          endedAt: `${DAY}T07:00:03Z`,
        }),
      ).toThrow("CHECK constraint failed: calls.outcome");
    } finally {
      db.close();
    }
  });

  test("a ledger from the previous afk: old words mapped (inserted by hand → manual, others → unknown), totals and their triggers kept", () => {
    const path = ledgerBeforeModels002();
    const old = new Database(path, { strict: true });
    const before = { outcomes: outcomes(old), totals: callTotals(old), triggers: triggersOnCalls(old) };
    old.close();
    expect(before.outcomes).toEqual([
      "ok",
      "timeout",
      "replied",
      "draft rejected",
      "no such word",
      null,
      "inserted by hand",
    ]);
    expect(before.triggers).toEqual(["totals_calls_delete", "totals_calls_insert", "totals_calls_update"]);

    const db = openDatabase(path);
    try {
      expect(db.query("SELECT id FROM schema_migrations WHERE id = 'models-002'").get()).toEqual({
        id: "models-002",
      });
      expect(outcomes(db)).toEqual(["ok", "timeout", "replied", "unknown", "unknown", null, "manual"]);
      expect(callTotals(db)).toEqual(before.totals);
      expect(triggersOnCalls(db)).toEqual([
        "calls_outcome_check_insert",
        "calls_outcome_check_update",
        ...before.triggers,
        // core-008's per-day totals, applied in the same open
        "totals_day_calls_delete",
        "totals_day_calls_insert",
        "totals_day_calls_update",
      ]);
      // the view's insert by hand now writes a word of the set, and the totals still follow every row
      db.run(`INSERT INTO ledger (ts, usd_in, value_usd) VALUES ('${DAY}T06:30:00Z', 0.5, 0)`);
      expect(db.query("SELECT outcome, cost_micros FROM calls ORDER BY id DESC LIMIT 1").get()).toEqual({
        outcome: "manual",
        cost_micros: 500_000,
      });
      const manual = callTotals(db).find((t) => t.link_id === "manual");
      expect(manual).toMatchObject({ calls: 2, spent_micros: 750_000 });
      expect(() => db.run(call("no such word"))).toThrow("CHECK constraint failed: calls.outcome");
    } finally {
      db.close();
    }
  });
});
