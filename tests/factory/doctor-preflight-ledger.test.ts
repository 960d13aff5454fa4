import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { checkLedgerOnCopy } from "../../src/factory/doctor/ledger-preflight.ts";
import { type Migration, migrate } from "../../src/ledger/migrate.ts";
import { allMigrations } from "../../src/ledger/migrations.ts";
import { tempDir } from "./helpers.ts";

const tmp = tempDir("afk-doctor-preflight-");
afterAll(tmp.cleanup);
let n = 0;

/** An AFK_HOME whose ledger is migrated, then changed by `edit` as an older or newer afk would leave it. */
function homeWith(edit: (db: Database) => void, upTo: readonly Migration[] = allMigrations): string {
  const home = join(tmp.dir, `home-${++n}`);
  mkdirSync(home);
  const db = new Database(join(home, "ledger.sqlite"), { create: true, strict: true });
  db.run("PRAGMA journal_mode = WAL");
  migrate(db, upTo);
  edit(db);
  db.close();
  return home;
}

const ids = (home: string) => {
  const db = new Database(join(home, "ledger.sqlite"), { readonly: true, strict: true });
  try {
    return db
      .query<{ id: string }, []>("SELECT id FROM schema_migrations")
      .all()
      .map((r) => r.id);
  } finally {
    db.close();
  }
};

const leftovers = (home: string) => readdirSync(home).filter((f) => f.startsWith(".afk-preflight-"));

describe("doctor --preflight checks the ledger on a copy: the running afk's ledger is not migrated under it", () => {
  test("a ledger an older afk left: its pending migrations apply on the copy, the ledger itself stays as it was", () => {
    const home = homeWith(
      (db) =>
        db.run(
          `INSERT INTO ticks (id, slot, trigger, status, day, started_at, ended_at, pid, version, spec_hash, spec_origin)
         VALUES ('t1', '2026-11-24T07:00:00Z', 'schedule', 'ok', '2026-11-24', '2026-11-24T07:00:00Z', '2026-11-24T07:01:00Z', 1, 'v', 'h', 'o')`,
        ),
      allMigrations.filter((m) => m.id !== "core-007"),
    );
    const { result, facts } = checkLedgerOnCopy(home);
    expect(result.state).toBe("ok");
    expect(result.detail).toBe(
      `${join(home, "ledger.sqlite")} opens; core-007 apply (checked on a copy; applied at the first start) (1 ticks)`,
    );
    expect(facts).toEqual({ ticks: 1, lastStartedAt: "2026-11-24T07:00:00Z" });
    expect(ids(home)).not.toContain("core-007");
    expect(leftovers(home)).toEqual([]);
  });

  test("a ledger with a newer afk's breaking migration: FAIL naming the ledger (not the copy), the migration and the way out", () => {
    const home = homeWith((db) =>
      db.run("INSERT INTO schema_migrations (id, applied_at, compat) VALUES ('core-900', 'x', 'breaking')"),
    );
    const { result } = checkLedgerOnCopy(home);
    expect(result.state).toBe("fail");
    expect(result.detail).toContain(
      `${join(home, "ledger.sqlite")} does not open: ledger: ${join(home, "ledger.sqlite")} was written by a newer afk (migration core-900 is unknown to this one)`,
    );
    expect(result.detail).not.toContain(".afk-preflight-");
    expect(result.fix).toContain('restore its backup (ops/README.md "Roll back")');
    expect(leftovers(home)).toEqual([]);
  });

  test("a current ledger: opens and is migrated; no ledger yet: created, as the ordinary check does", () => {
    const home = homeWith(() => {});
    expect(checkLedgerOnCopy(home).result.detail).toBe(
      `${join(home, "ledger.sqlite")} opens and is migrated (0 ticks)`,
    );
    const empty = join(tmp.dir, "empty");
    mkdirSync(empty);
    expect(checkLedgerOnCopy(empty).result).toMatchObject({ state: "ok" });
  });
});
