import type { Database } from "bun:sqlite";
import { MIGRATION_COMPAT, type MigrationCompat, recordCompat } from "./compat.ts";

export { MIGRATION_COMPAT, type MigrationCompat };

/**
 * One schema change. Ids are `<ring>-NNN`; each ring keeps its own list under `schema/`.
 * Most are SQL; a change SQL cannot say alone (rebuilding a table around a new CHECK, whose
 * text depends on what the ledger holds) is a function, run in the same transaction.
 *
 * `compat` says what an older afk that does not know this migration may do with the ledger
 * after it (recorded in the ledger from core-007 on, read by an older afk at open, ledger/compat.ts):
 * - `additive`: it still reads and writes it safely — a new table, view, index or trigger it never
 *   touches or that accepts every value it writes, a nullable column it ignores;
 * - `breaking`: it would misread or miswrite — a closed set widened (it meets values it cannot
 *   name), a meaning or a column it relies on changed, a trigger refusing what it writes.
 */
export type Migration = { id: string; compat: MigrationCompat } & (
  | { sql: string }
  | { apply: (db: Database) => void }
);

/**
 * Applies every migration not yet recorded, in list order, each in its own transaction.
 * Rings own their tables in separate files so their histories never interleave.
 */
export function migrate(db: Database, migrations: readonly Migration[]): string[] {
  db.run("CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
  const done = new Set(
    db
      .query<{ id: string }, []>("SELECT id FROM schema_migrations")
      .all()
      .map((r) => r.id),
  );
  const applied: string[] = [];
  const isApplied = db.query<{ id: string }, [string]>("SELECT id FROM schema_migrations WHERE id = ?");
  for (const m of migrations) {
    if (done.has(m.id)) continue;
    // Re-checked inside the write lock: two processes starting on a fresh ledger (serve and a
    // cron tick) both see it pending, and only the first may apply it.
    const ran = db
      .transaction(() => {
        if (isApplied.get(m.id)) return false;
        if ("sql" in m) db.run(m.sql);
        else m.apply(db);
        db.run("INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)", [
          m.id,
          new Date().toISOString(),
        ]);
        recordCompat(db, migrations);
        return true;
      })
      .immediate();
    if (ran) applied.push(m.id);
  }
  return applied;
}
