import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { MIGRATION_COMPAT } from "../../src/ledger/compat.ts";
import { openDatabase } from "../../src/ledger/db.ts";
import { migrate } from "../../src/ledger/migrate.ts";
import { allMigrations } from "../../src/ledger/migrations.ts";
import { openLedgerReadOnly } from "../../src/ledger/read-only.ts";
import { tempHome } from "../support/home.ts";

const home = tempHome("afk-ledger-compat-");
afterAll(home.cleanup);
let n = 0;
const fresh = () => join(home.dir, `ledger-${++n}.sqlite`);

const compatOf = (path: string) => {
  const db = new Database(path, { readonly: true, strict: true });
  try {
    return Object.fromEntries(
      db
        .query<{ id: string; compat: string | null }, []>("SELECT id, compat FROM schema_migrations")
        .all()
        .map((r) => [r.id, r.compat]),
    );
  } finally {
    db.close();
  }
};

/** What a newer afk leaves: its migration applied (a table here) and recorded with its compat. */
function newerAfkApplied(path: string, id: string, compat: string | null): void {
  const db = new Database(path, { strict: true });
  db.run(`CREATE TABLE newer_${id.replace("-", "_")} (x INTEGER)`);
  db.run("INSERT INTO schema_migrations (id, applied_at, compat) VALUES (?, ?, ?)", [
    id,
    "2027-01-01T00:00:00.000Z",
    compat,
  ]);
  db.close();
}

const ledgerAt = (path: string) => {
  openDatabase(path).close();
  return path;
};

describe("a ledger says, per applied migration, whether an older afk may still open it (core-007)", () => {
  test("every migration declares additive or breaking, and a fresh ledger records each one as declared", () => {
    const path = ledgerAt(fresh());
    const recorded = compatOf(path);
    for (const m of allMigrations) {
      expect(MIGRATION_COMPAT).toContain(m.compat);
      expect([m.id, recorded[m.id]]).toEqual([m.id, m.compat]);
    }
    // the honest marks: the two that change what an older afk would read are breaking
    expect(allMigrations.filter((m) => m.compat === "breaking").map((m) => m.id)).toEqual([
      "core-001",
      "core-006",
    ]);
  });

  test("a ledger from before core-007 gains the column and every row applied before is filled in", () => {
    const path = fresh();
    const db = new Database(path, { create: true, strict: true });
    migrate(
      db,
      allMigrations.filter((m) => m.id !== "core-007"),
    );
    expect(
      db
        .query("SELECT count(*) AS n FROM pragma_table_info('schema_migrations') WHERE name = 'compat'")
        .get(),
    ).toEqual({ n: 0 });
    db.close();
    ledgerAt(path);
    const recorded = compatOf(path);
    expect(Object.keys(recorded).sort()).toEqual(allMigrations.map((m) => m.id).sort());
    for (const m of allMigrations) expect(recorded[m.id]).toBe(m.compat);
  });

  test("the column is a closed set: a word outside it is refused by its CHECK", () => {
    const path = ledgerAt(fresh());
    const db = new Database(path, { strict: true });
    try {
      expect(() =>
        db.run("INSERT INTO schema_migrations (id, applied_at, compat) VALUES ('x-001', 'now', 'mostly')"),
      ).toThrow("CHECK constraint failed");
    } finally {
      db.close();
    }
  });

  test("unknown migrations all recorded additive: this afk opens the ledger, reads and writes it, and keeps their rows", () => {
    const path = ledgerAt(fresh());
    newerAfkApplied(path, "models-900", "additive");
    newerAfkApplied(path, "status-900", "additive");
    const db = openDatabase(path);
    try {
      db.run(`INSERT INTO ledger (ts, usd_in, value_usd) VALUES ('2027-01-02T06:00:00Z', 0.25, 0)`);
      expect(db.query("SELECT count(*) AS n FROM ticks").get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
    expect(compatOf(path)).toMatchObject({ "models-900": "additive", "status-900": "additive" });
    const ro = openLedgerReadOnly(path);
    expect(ro).not.toBeNull();
    ro?.close();
  });

  test.each([
    ["recorded breaking", "breaking"],
    ["with no record (a newer afk from before core-007 cannot exist, but a hand-made row can)", null],
  ])(
    "an unknown migration %s: refused in one line naming it and the way out; the ledger is left as it is",
    (_, compat) => {
      const path = ledgerAt(fresh());
      newerAfkApplied(path, "models-900", "additive");
      newerAfkApplied(path, "core-900", compat);
      const before = compatOf(path);
      let message = "";
      try {
        openDatabase(path).close();
      } catch (err) {
        message = err instanceof Error ? err.message : String(err);
      }
      expect(message.split("\n")).toHaveLength(1);
      expect(message).toContain(
        `${path} was written by a newer afk (migration core-900 is unknown to this one)`,
      );
      expect(message).not.toContain("models-900");
      expect(message).toContain("roll forward to the afk that wrote it");
      expect(message).toContain("restore the ledger backup taken before that upgrade");
      expect(message).toContain("ledger.prev.sqlite");
      expect(compatOf(path)).toEqual(before);
      // the read-only shortcut does not read past it either: it leaves the refusal to the ordinary open
      expect(openLedgerReadOnly(path)).toBeNull();
    },
  );
});
