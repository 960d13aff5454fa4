import type { Database } from "bun:sqlite";

/**
 * What an older afk may do with a ledger after a migration it does not know (migrate.ts
 * `Migration.compat`). A closed set: the type, core-007's CHECK and the open rule below.
 */
export const MIGRATION_COMPAT = ["additive", "breaking"] as const;
export type MigrationCompat = (typeof MIGRATION_COMPAT)[number];

/** core-007 added `schema_migrations.compat`; a ledger from before it has no such column. */
function hasCompatColumn(db: Database): boolean {
  return (
    db
      .query<{ n: number }, []>(
        "SELECT count(*) AS n FROM pragma_table_info('schema_migrations') WHERE name = 'compat'",
      )
      .get()?.n === 1
  );
}

/**
 * Writes each applied migration's `compat` where the ledger has none yet: the rows applied before
 * core-007 added the column, and each one as it is applied. Runs in the caller's transaction.
 */
export function recordCompat(db: Database, known: readonly { id: string; compat: MigrationCompat }[]): void {
  if (!hasCompatColumn(db)) return;
  const set = db.query("UPDATE schema_migrations SET compat = ? WHERE id = ? AND compat IS NULL");
  const blank = db
    .query<{ id: string }, []>("SELECT id FROM schema_migrations WHERE compat IS NULL")
    .all()
    .map((r) => r.id);
  const byId = new Map(known.map((m) => [m.id, m.compat]));
  for (const id of blank) {
    const compat = byId.get(id);
    if (compat) set.run(compat, id);
  }
}

/**
 * The migrations in this ledger that this afk does not know and that were not recorded as
 * `additive` by the afk that applied them (a ledger from before core-007 records none): an afk
 * that opened it anyway could misread or miswrite it. Empty when the ledger has no migrations table.
 */
export function unsafeUnknownMigrations(db: Database, knownIds: ReadonlySet<string>): string[] {
  const has = db
    .query<{ n: number }, []>("SELECT count(*) AS n FROM sqlite_master WHERE name = 'schema_migrations'")
    .get();
  if (!has?.n) return [];
  const rows = hasCompatColumn(db)
    ? db
        .query<{ id: string; compat: string | null }, []>(
          "SELECT id, compat FROM schema_migrations ORDER BY id",
        )
        .all()
    : db
        .query<{ id: string; compat: null }, []>(
          "SELECT id, NULL AS compat FROM schema_migrations ORDER BY id",
        )
        .all();
  return unsafeUnknown(rows, knownIds);
}

/** Of a ledger's `schema_migrations` rows, the ids this afk does not know and that are not `additive`. */
export function unsafeUnknown(
  rows: readonly { id: string; compat: string | null }[],
  knownIds: ReadonlySet<string>,
): string[] {
  return rows.filter((r) => !knownIds.has(r.id) && r.compat !== "additive").map((r) => r.id);
}
