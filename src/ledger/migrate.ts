import type { Database } from "bun:sqlite";

/** One schema change. Ids are `<ring>-NNN`; each ring keeps its own list under `schema/`. */
export interface Migration {
  id: string;
  sql: string;
}

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
  for (const m of migrations) {
    if (done.has(m.id)) continue;
    db.transaction(() => {
      db.run(m.sql);
      db.run("INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)", [
        m.id,
        new Date().toISOString(),
      ]);
    }).immediate();
    applied.push(m.id);
  }
  return applied;
}
