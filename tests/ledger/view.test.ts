import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../src/ledger/db.ts";
import { spendOnDay } from "../../src/ledger/ticks.ts";
import { tempHome } from "../support/home.ts";

const home = tempHome();
afterAll(home.cleanup);

describe("the ledger view", () => {
  test("an insert into the view by hand (the lab seeds '999 spent') counts against the day's cap", () => {
    const db = openDatabase(join(home.dir, "ledger.sqlite"));
    try {
      db.run("INSERT INTO ledger (ts, usd_in) VALUES ('2026-11-24T06:00:00.000Z', 999)");
      db.run("INSERT INTO ledger (ts, usd_in, value_usd) VALUES ('2026-11-23T06:00:00.000Z', 0.25, 2.5)");
      expect(spendOnDay(db, "2026-11-24")).toBe(999_000_000);
      expect(spendOnDay(db, "2026-11-23")).toBe(250_000);
      const lab = db
        .query(
          "SELECT count(*) ticks, round(sum(usd_in),4) usd_in, round(sum(value_usd),2) value_out FROM ledger WHERE ts >= '2026-06-01'",
        )
        .get();
      expect(lab).toEqual({ ticks: 2, usd_in: 999.25, value_out: 2.5 });
      const row = db
        .query<{ status: string; reason: string }, []>("SELECT status, reason FROM ticks LIMIT 1")
        .get();
      expect(row).toEqual({ status: "failed", reason: "inserted by hand into the ledger view" });
    } finally {
      db.close();
    }
  });

  test("money never drifts: a thousand 0.1-cent calls sum to exactly $1", () => {
    const db = openDatabase(join(home.dir, "drift.sqlite"));
    try {
      for (let i = 0; i < 1000; i++)
        db.run("INSERT INTO ledger (ts, usd_in) VALUES ('2026-11-24T06:00:00.000Z', 0.001)");
      expect(spendOnDay(db, "2026-11-24")).toBe(1_000_000);
    } finally {
      db.close();
    }
  });

  test("spend is written once (call_spend): settled calls at their cost, open reservations in full", () => {
    const db = openDatabase(join(home.dir, "spend.sqlite"));
    try {
      db.run("INSERT INTO ledger (tick_id, ts, usd_in) VALUES ('t1', '2026-11-24T06:00:00.000Z', 0)");
      const call = db.query(
        `INSERT INTO calls (tick_id, day, link_id, kind, state, reserved_micros, cost_micros, started_at)
         VALUES ('t1', '2026-11-24', 'paid', 'openai', ?, ?, ?, '2026-11-24T06:00:00.000Z')`,
      );
      call.run("reserved", 900, 0);
      call.run("settled", 900, 120);
      call.run("charged_full", 500, 500);
      call.run("free", 0, 0);
      expect(spendOnDay(db, "2026-11-24")).toBe(1520);
      const byState = db
        .query<{ state: string; spend_micros: number }, []>(
          "SELECT state, spend_micros FROM call_spend ORDER BY id",
        )
        .all();
      expect(byState).toEqual([
        { state: "reserved", spend_micros: 900 },
        { state: "settled", spend_micros: 120 },
        { state: "charged_full", spend_micros: 500 },
        { state: "free", spend_micros: 0 },
      ]);
      expect(db.query("SELECT usd_in FROM ledger WHERE tick_id = 't1'").get()).toEqual({ usd_in: 0.00152 });
    } finally {
      db.close();
    }
  });
});
