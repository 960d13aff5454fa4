import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/run.ts";
import { AfkError } from "../../src/core/errors.ts";
import { backupLedger } from "../../src/ledger/backup.ts";
import { carrySince } from "../../src/ledger/carry.ts";
import { openDatabase } from "../../src/ledger/db.ts";
import { spendOnDay } from "../../src/ledger/ticks.ts";
import { tempHome, testDeps } from "../support/home.ts";

const home = tempHome("afk-ledger-carry-");
afterAll(home.cleanup);
let n = 0;
const dirFor = () => {
  const d = join(home.dir, `h${++n}`);
  mkdirSync(d, { recursive: true });
  return d;
};
const AT = new Date("2026-11-26T09:30:00Z");

/** The lab's hand insert: one closed tick and a settled call of `usd` on the day of `at`. */
const spend = (db: Database, id: string, at: string, usd: number) =>
  db.run("INSERT INTO ledger (tick_id, ts, usd_in, value_usd) VALUES (?, ?, ?, 0)", [id, at, usd]);
/** An open reservation, as a crash between a paid request and its settlement leaves it. */
const reserve = (db: Database, tickId: string, day: string, micros: number) =>
  db.run(
    "INSERT INTO calls (tick_id, day, link_id, kind, state, reserved_micros, started_at) VALUES (?, ?, 'paid', 'openai', 'reserved', ?, ?)",
    [tickId, day, micros, `${day}T10:00:00Z`],
  );
const deliver = (db: Database, identity: string, tickId: string) =>
  db.run("INSERT INTO delivered_items (identity, tick_id, delivered_at) VALUES (?, ?, ?)", [
    identity,
    tickId,
    "2026-11-25T08:00:00Z",
  ]);

function read<T>(path: string, f: (db: Database) => T): T {
  const db = new Database(path, { readonly: true, strict: true });
  try {
    return f(db);
  } finally {
    db.close();
  }
}
/** Spend per day as the cap counts it: call_spend where the schema has it, else its formula (core-004) by hand. */
const spendByDay = (path: string) =>
  read(path, (db) =>
    db
      .query<{ day: string; micros: number }, []>(
        `SELECT day, sum(CASE WHEN state = 'reserved' THEN reserved_micros ELSE cost_micros END) AS micros
           FROM calls GROUP BY day ORDER BY day`,
      )
      .all(),
  );
const identities = (path: string) =>
  read(path, (db) =>
    db
      .query<{ identity: string }, []>("SELECT identity FROM delivered_items ORDER BY identity")
      .all()
      .map((r) => r.identity),
  );

/** A live ledger, its backup, and what was written after it: spend on two days, an open reservation, items. */
function ledgerAndBackup(): { ledger: string; backup: string } {
  const dir = dirFor();
  const ledger = join(dir, "ledger.sqlite");
  const backup = join(dir, "ledger.prev.sqlite");
  const db = openDatabase(ledger);
  try {
    spend(db, "t0", "2026-11-24T07:00:00Z", 0.1);
    deliver(db, "item-a", "t0");
    backupLedger(ledger, backup);
    spend(db, "t1", "2026-11-24T08:00:00Z", 0.25);
    spend(db, "t2", "2026-11-25T07:00:00Z", 0.333333);
    reserve(db, "t2", "2026-11-25", 500_000);
    for (const i of ["item-b", "item-c", "item-d"]) deliver(db, i, "t2");
  } finally {
    db.close();
  }
  return { ledger, backup };
}

describe("afk backup --carry-into: the spend a restored backup would hide, written into it first", () => {
  test("each day's spend since the backup (open reservations in full) and the items delivered since go in; the restored ledger's cap counts exactly what the ledger did", () => {
    const { ledger, backup } = ledgerAndBackup();
    const carried = carrySince(ledger, backup, AT, "0.1.0");
    expect(carried).toEqual({
      days: [
        { day: "2026-11-24", micros: 250_000 },
        { day: "2026-11-25", micros: 833_333 },
      ],
      items: 3,
    });
    expect(spendByDay(backup)).toEqual(spendByDay(ledger));
    expect(identities(backup)).toEqual(["item-a", "item-b", "item-c", "item-d"]);
    // opened as afk opens it after the restore: the cap's own question answers the same
    const restored = openDatabase(backup);
    try {
      expect(spendOnDay(restored, "2026-11-25")).toBe(833_333);
      const row = restored
        .query<{ status: string; trigger: string; reason: string }, []>(
          "SELECT status, trigger, reason FROM ticks WHERE id LIKE 'carried-2026-11-25-%'",
        )
        .get();
      expect(row).toMatchObject({ status: "skipped_done", trigger: "manual" });
      expect(row?.reason).toContain("carried into its backup");
    } finally {
      restored.close();
    }
  });

  test("run again, nothing is carried twice; new spend since is carried alone", () => {
    const { ledger, backup } = ledgerAndBackup();
    carrySince(ledger, backup, AT, "0.1.0");
    expect(carrySince(ledger, backup, AT, "0.1.0")).toEqual({ days: [], items: 0 });
    const db = openDatabase(ledger);
    spend(db, "t3", "2026-11-26T07:00:00Z", 0.05);
    db.close();
    expect(carrySince(ledger, backup, new Date("2026-11-26T10:00:00Z"), "0.1.0")).toEqual({
      days: [{ day: "2026-11-26", micros: 50_000 }],
      items: 0,
    });
    expect(spendByDay(backup)).toEqual(spendByDay(ledger));
  });

  test("micro-dollars survive the view's dollars exactly, over many random amounts", () => {
    const dir = dirFor();
    const ledger = join(dir, "ledger.sqlite");
    const backup = join(dir, "ledger.prev.sqlite");
    const db = openDatabase(ledger);
    backupLedger(ledger, backup);
    let seed = 7;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    const days = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const day = `2026-1${i % 2}-${String(1 + (i % 28)).padStart(2, "0")}`;
      if (!days.has(day)) spend(db, `r-${day}`, `${day}T07:00:00Z`, 0); // one tick per day, its calls that day's
      days.add(day);
      reserve(db, `r-${day}`, day, rand() % 50_000_000);
    }
    db.close();
    carrySince(ledger, backup, AT, "0.1.0");
    expect(spendByDay(backup)).toEqual(spendByDay(ledger));
  });

  test("into a backup an older afk wrote (before core-006): through its own view, never migrated", () => {
    const dir = dirFor();
    const backup = join(dir, "ledger.prev.sqlite");
    const ledger = join(dir, "ledger.sqlite");
    const old = new Database(backup, { create: true });
    old.exec(readFileSync(join(import.meta.dir, "fixtures", "ledger-before-core-006.sql"), "utf8"));
    old.close();
    const migrationsOf = (path: string) =>
      read(path, (db) => db.query<{ id: string }, []>("SELECT id FROM schema_migrations ORDER BY id").all());
    const before = migrationsOf(backup);
    copyFileSync(backup, ledger);
    const db = openDatabase(ledger); // the upgrade migrates the live one
    spend(db, "t-new", "2026-11-20T07:00:00Z", 1.5);
    db.close();
    const carried = carrySince(ledger, backup, AT, "0.1.0");
    expect(carried.days).toEqual([{ day: "2026-11-20", micros: 1_500_000 }]);
    expect(spendByDay(backup)).toEqual(spendByDay(ledger));
    expect(migrationsOf(backup)).toEqual(before);
  });

  test("a file that is not a ledger: one clear error, nothing written", () => {
    const { ledger } = ledgerAndBackup();
    const other = join(dirFor(), "notes.sqlite");
    const db = new Database(other, { create: true });
    db.run("CREATE TABLE notes (x TEXT)");
    db.close();
    const bytes = readFileSync(other);
    expect(() => carrySince(ledger, other, AT, "0.1.0")).toThrow(AfkError);
    expect(() => carrySince(ledger, other, AT, "0.1.0")).toThrow(/is not an afk ledger/);
    expect(readFileSync(other)).toEqual(bytes);
    expect(() => carrySince(ledger, join(dirFor(), "missing.sqlite"), AT, "0.1.0")).toThrow(/no backup at/);
  });

  test("the command: one line with what was carried, then 'nothing'; one of PATH, --since or --carry-into", async () => {
    const { ledger, backup } = ledgerAndBackup();
    const dir = join(ledger, "..");
    const { deps, out, err } = testDeps(dir, { AFK_HOME: dir });
    expect(await run(["backup", "--carry-into", backup], deps)).toBe(0);
    expect(out.at(-1)).toBe(
      `carried into ${backup}: $1.083333 spent since it (2026-11-24 $0.25, 2026-11-25 $0.833333), 3 delivered items`,
    );
    expect(await run(["backup", "--carry-into", backup], deps)).toBe(0);
    expect(out.at(-1)).toBe(
      `carried into ${backup}: nothing (it already counts the ledger's spend and delivered items)`,
    );
    expect(await run(["backup", "--since", backup, "--carry-into", backup], deps)).toBe(2);
    expect(err.join("\n")).toContain("give one of PATH, --since PATH or --carry-into PATH");
  });

  test("afk status on the restored copy: today's spend counted against the cap, the carried row said to be no run", async () => {
    const { ledger, backup } = ledgerAndBackup();
    carrySince(ledger, backup, new Date("2026-11-24T09:00:00Z"), "0.1.0");
    const restoredHome = dirFor();
    renameSync(backup, join(restoredHome, "ledger.sqlite"));
    const { deps, out } = testDeps(restoredHome, { AFK_HOME: restoredHome }, "2026-11-24T09:30:00Z");
    expect(await run(["status"], deps)).toBe(0);
    const text = out.join("\n");
    // 2026-11-24: $0.10 before the backup and $0.25 carried, against the default spec's $5.00 cap
    expect(text).toContain("cap: $4.65 left of $5.00 today");
    expect(text).toMatch(/last tick carried-\S+: skipped_done · 0 ms · model none · manual/);
    expect(text).toContain("trace: none (no run wrote this row)");
  });
});
