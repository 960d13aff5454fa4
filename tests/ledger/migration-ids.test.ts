import { expect, test } from "bun:test";
import { MIGRATION_IDS } from "../../src/ledger/migration-ids.ts";
import { allMigrations } from "../../src/ledger/migrations.ts";

test("the cold path's migration ids are every migration's, in the order they apply", () => {
  // a migration added to a schema module without its id here would let `afk status` read a ledger
  // it has not migrated as current; a stale id here would send every status down the slow path
  expect([...MIGRATION_IDS]).toEqual(allMigrations.map((m) => m.id));
});
