import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../src/ledger/db.ts";
import { allMigrations } from "../../src/ledger/migrations.ts";
import { openLedgerReadOnly } from "../../src/ledger/read-only.ts";
import { tempHome } from "../support/home.ts";

const home = tempHome("afk-ledger-ro-");
afterAll(home.cleanup);

function ledger(name: string, edit: (db: ReturnType<typeof openDatabase>) => void = () => {}): string {
  const path = join(home.dir, `${name}.sqlite`);
  const db = openDatabase(path);
  edit(db);
  db.close();
  return path;
}

const running = (pid: number) => (db: ReturnType<typeof openDatabase>) =>
  db.run(
    `INSERT INTO ticks (id, slot, trigger, status, day, started_at, pid, version, spec_hash, spec_origin)
     VALUES ('t1', '2026-11-24T07:00:00.000Z', 'schedule', 'running', '2026-11-24', '2026-11-24T07:00:01.000Z', ?, 'v', 'h', 'file:x')`,
    [pid],
  );

test("a migrated ledger with nothing to recover opens read-only: reads work, writes are refused", () => {
  const db = openLedgerReadOnly(ledger("clean"));
  expect(db).not.toBeNull();
  expect(db?.query<{ n: number }, []>("SELECT count(*) AS n FROM ticks").get()?.n).toBe(0);
  expect(() => db?.run("DELETE FROM ticks")).toThrow(/readonly/);
  db?.close();
});

test.each([
  [
    "a migration not yet applied",
    ledger("behind", (db) =>
      db.run("DELETE FROM schema_migrations WHERE id = ?", [allMigrations.at(-1)?.id ?? ""]),
    ),
  ],
  [
    "a tick running (live or left by a dead process: recovery decides)",
    ledger("running", running(process.pid)),
  ],
  [
    "a file that is not a ledger",
    (() => {
      const p = join(home.dir, "not-a-ledger.sqlite");
      writeFileSync(p, "hello");
      return p;
    })(),
  ],
  ["no file at all", join(home.dir, "missing.sqlite")],
])("%s → null: the caller opens it the ordinary way (migrate, recover)", (_what, path) => {
  expect(openLedgerReadOnly(path)).toBeNull();
});
