import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TICK_STATUSES } from "../../src/core/status.ts";
import { openDatabase } from "../../src/ledger/db.ts";
import { TIER_OFF_CODES } from "../../src/models/failure.ts";
import { tempHome } from "../support/home.ts";

const home = tempHome("afk-core-006-");
afterAll(home.cleanup);

/** A ledger written by main before core-006 (tests/ledger/fixtures/ledger-before-core-006.sql). */
function ledgerBefore(): string {
  const path = join(home.dir, `before-${Math.random().toString(36).slice(2)}.sqlite`);
  const db = new Database(path, { create: true });
  db.run("PRAGMA journal_mode = WAL");
  db.exec(readFileSync(join(import.meta.dir, "fixtures", "ledger-before-core-006.sql"), "utf8"));
  db.close();
  return path;
}

const everyRow = (db: Database, table: string) =>
  db.query(`SELECT rowid AS _rowid, * FROM ${table} ORDER BY rowid`).all();
const schemaOf = (db: Database, table: string) =>
  db
    .query<{ type: string; name: string }, [string]>(
      "SELECT type, name FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') ORDER BY name",
    )
    .all(table);

test("core-006 migrates a ledger written by today's code: every row, rowid, index and trigger kept; quiet and overrun accepted", () => {
  const path = ledgerBefore();
  const old = new Database(path);
  const before = {
    ticks: everyRow(old, "ticks"),
    calls: everyRow(old, "calls"),
    tierOff: everyRow(old, "model_tier_off"),
    ledger: old.query("SELECT * FROM ledger ORDER BY ts").all(),
    ticksSchema: schemaOf(old, "ticks"),
    tierOffSchema: schemaOf(old, "model_tier_off"),
  };
  expect(() => old.run("UPDATE ticks SET status = 'quiet' WHERE id = 't-failed'")).toThrow(
    /CHECK constraint/,
  );
  old.close();
  expect(before.ticks.length).toBeGreaterThan(3);
  expect(before.ticksSchema.length).toBeGreaterThan(6);

  const db = openDatabase(path);
  try {
    expect(db.query("SELECT id FROM schema_migrations WHERE id = 'core-006'").get()).toEqual({
      id: "core-006",
    });
    expect(everyRow(db, "ticks")).toEqual(before.ticks);
    // models-002 maps the two outcomes outside calls.outcome's closed set (call-outcome.test.ts)
    const mapped: Record<string, string> = { "draft rejected": "unknown", "inserted by hand": "manual" };
    expect(everyRow(db, "calls")).toEqual(
      before.calls.map((r) => {
        const row = r as { outcome: string | null };
        return { ...row, outcome: row.outcome === null ? null : (mapped[row.outcome] ?? row.outcome) };
      }),
    );
    expect(everyRow(db, "model_tier_off")).toEqual(before.tierOff);
    expect(db.query("SELECT * FROM ledger ORDER BY ts").all()).toEqual(before.ledger);
    // every index and trigger kept, and core-008's per-day totals triggers added by the same open
    const dayTotals = ["delete", "insert", "update"].map((op) => ({
      type: "trigger",
      name: `totals_day_ticks_${op}`,
    }));
    expect(schemaOf(db, "ticks")).toEqual(
      [...before.ticksSchema, ...dayTotals].sort((a, b) => (a.name < b.name ? -1 : 1)),
    );
    expect(schemaOf(db, "model_tier_off")).toEqual(before.tierOffSchema);
    expect(db.query("PRAGMA foreign_key_check").all()).toEqual([]);
    expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    expect(
      db.query("SELECT count(*) AS n FROM sqlite_master WHERE name LIKE '%before_rebuild%'").get(),
    ).toEqual({ n: 0 });

    // the wider sets are accepted, anything else still refused
    db.run("UPDATE ticks SET status = 'quiet' WHERE id = 't-failed'");
    db.run(
      "INSERT INTO model_tier_off (link_id, day, code, reason, at) VALUES ('paid', '2026-11-22', 'overrun', 'billed 1300 of 1200 tokens', '2026-11-22T07:00:00Z')",
    );
    expect(() => db.run("UPDATE ticks SET status = 'nap' WHERE id = 't-ok'")).toThrow(/CHECK constraint/);
    // the triggers re-created on the new table still keep the totals
    expect(db.query("SELECT ticks FROM totals_ticks WHERE status = 'quiet'").get()).toEqual({ ticks: 1 });
    // the view's INSTEAD OF trigger still writes through to the new table
    db.run("INSERT INTO ledger (ts, usd_in, value_usd) VALUES ('2026-11-23T06:00:00Z', 0.5, 0)");
    expect(db.query("SELECT count(*) AS n FROM ledger").get()).toEqual({ n: before.ledger.length + 1 });
    const create = db
      .query<{ sql: string }, []>("SELECT sql FROM sqlite_master WHERE name = 'ticks'")
      .get()?.sql;
    for (const s of TICK_STATUSES) expect(create).toContain(`'${s}'`);
    const tierOff = db
      .query<{ sql: string }, []>("SELECT sql FROM sqlite_master WHERE name = 'model_tier_off'")
      .get()?.sql;
    for (const c of TIER_OFF_CODES) expect(tierOff).toContain(`'${c}'`);
  } finally {
    db.close();
  }
});

test("on a fresh ledger core-006 has nothing to rebuild: the tables are created with the wide sets", () => {
  const db = openDatabase(join(home.dir, "fresh.sqlite"));
  try {
    db.run(
      "INSERT INTO ticks (id, slot, trigger, status, day, started_at, ended_at, pid, version, spec_hash, spec_origin) VALUES ('q', 's', 'schedule', 'quiet', '2026-11-24', 'a', 'b', 1, 'v', 'h', 'o')",
    );
    expect(db.query("SELECT status FROM ticks").get()).toEqual({ status: "quiet" });
  } finally {
    db.close();
  }
});
