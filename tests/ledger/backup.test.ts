import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/run.ts";
import { backupLedger, sinceBackup } from "../../src/ledger/backup.ts";
import { openDatabase } from "../../src/ledger/db.ts";
import { tempHome, testDeps } from "../support/home.ts";

const home = tempHome("afk-ledger-backup-");
afterAll(home.cleanup);
let n = 0;
const dirFor = () => {
  const d = join(home.dir, `h${++n}`);
  return d;
};

const tick = (db: Database, id: string, at: string, usd = 0) =>
  db.run(`INSERT INTO ledger (tick_id, ts, usd_in, value_usd) VALUES (?, ?, ?, 0)`, [id, at, usd]);

const count = (path: string, sql: string) => {
  const db = new Database(path, { readonly: true, strict: true });
  try {
    return db.query<{ n: number }, []>(sql).get()?.n;
  } finally {
    db.close();
  }
};

describe("afk backup: a consistent copy of the ledger while afk writes it, and what restoring it would lose", () => {
  test("rows still only in the WAL (a writer holding the ledger open, nothing checkpointed) are in the copy, which passes integrity_check", () => {
    const dir = dirFor();
    const path = join(dir, "ledger.sqlite");
    const writer = openDatabase(path);
    try {
      writer.run("PRAGMA wal_autocheckpoint = 0");
      for (let i = 0; i < 5; i++) tick(writer, `t${i}`, `2026-11-24T0${i}:00:00Z`, 0.1);
      expect(existsSync(`${path}-wal`)).toBe(true);
      const mark = backupLedger(path, join(dir, "ledger.prev.sqlite"));
      expect(mark).toMatchObject({ ticks: 5, lastStartedAt: "2026-11-24T04:00:00Z" });
    } finally {
      writer.close();
    }
    const copy = join(dir, "ledger.prev.sqlite");
    expect(count(copy, "SELECT count(*) AS n FROM ticks")).toBe(5);
    expect(count(copy, "SELECT count(*) AS n FROM calls")).toBe(5);
    const db = new Database(copy, { readonly: true });
    expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    db.close();
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  test("the ledger is read, never migrated: a ledger an older afk wrote is copied as it is", () => {
    const dir = dirFor();
    const path = join(dir, "ledger.sqlite");
    openDatabase(path).close();
    const older = new Database(path, { strict: true });
    older.run("DELETE FROM schema_migrations WHERE id = 'core-007'");
    older.close();
    backupLedger(path, join(dir, "copy.sqlite"));
    for (const p of [path, join(dir, "copy.sqlite")])
      expect(count(p, "SELECT count(*) AS n FROM schema_migrations WHERE id = 'core-007'")).toBe(0);
  });

  test("--since counts the ticks and the spend recorded after the backup: what a restore would hide from the cap", () => {
    const dir = dirFor();
    const path = join(dir, "ledger.sqlite");
    const db = openDatabase(path);
    tick(db, "before", "2026-11-24T07:00:00Z", 1);
    backupLedger(path, join(dir, "ledger.prev.sqlite"));
    expect(sinceBackup(path, join(dir, "ledger.prev.sqlite"))).toEqual({
      ticks: 0,
      firstStartedAt: null,
      spendMicros: 0,
    });
    tick(db, "after-1", "2026-11-25T07:00:00Z", 0.25);
    tick(db, "after-2", "2026-11-26T07:00:00Z", 0.5);
    db.close();
    expect(sinceBackup(path, join(dir, "ledger.prev.sqlite"))).toEqual({
      ticks: 2,
      firstStartedAt: "2026-11-25T07:00:00Z",
      spendMicros: 750_000,
    });
  });

  test("through the CLI: one line each; no ledger is exit 5 in one line, no PATH is exit 2", async () => {
    const dir = dirFor();
    openDatabase(join(dir, "ledger.sqlite")).close();
    const ok = testDeps(dir);
    expect(await run(["backup", "b.sqlite"], ok.deps)).toBe(0);
    expect(ok.out.join("\n")).toMatch(/^backup: .*ledger\.sqlite → .*b\.sqlite · 0 ticks$/);
    expect(await run(["backup", "--since", "b.sqlite"], ok.deps)).toBe(0);
    expect(ok.out.at(-1)).toBe("since the backup: 0 ticks, $0.00 spent");

    const empty = dirFor();
    const none = testDeps(empty);
    expect(await run(["backup", "b.sqlite"], none.deps)).toBe(5);
    expect(none.err).toEqual([`backup: no ledger at ${join(empty, "ledger.sqlite")}`]);
    expect(existsSync(join(empty, "b.sqlite"))).toBe(false);
    expect(await run(["backup"], none.deps)).toBe(2);
  });
});
