import { Database } from "bun:sqlite";
import { unsafeUnknown } from "./compat.ts";
import { MIGRATION_IDS } from "./migration-ids.ts";

/**
 * Opens the ledger read-only when reading needs nothing written first: every migration applied and
 * no tick `running` (one may have been left by a dead process, which an ordinary open closes as
 * crashed; telling which is the recovery's job, not this shortcut's), no newer afk's breaking migration. Skips what a writable open
 * costs a cold `afk status`: the journal-mode and migration checks under a write lock. Null when
 * any of that is in doubt (or the file does not open): the caller opens the ledger the ordinary
 * way, which migrates and recovers.
 */
export function openLedgerReadOnly(path: string): Database | null {
  let db: Database | null = null;
  try {
    db = new Database(path, { readonly: true, strict: true });
    db.run("PRAGMA busy_timeout = 5000");
    // one read of the applied migrations: a ledger without core-007's `compat` column fails it, and
    // such a ledger is not current anyway (the ordinary open migrates it)
    const rows = db
      .query<{ id: string; compat: string | null }, []>("SELECT id, compat FROM schema_migrations")
      .all();
    const applied = new Set(rows.map((r) => r.id));
    const running = db
      .query<{ n: number }, []>("SELECT count(*) AS n FROM ticks WHERE status = 'running'")
      .get();
    const known = new Set(MIGRATION_IDS);
    const current = MIGRATION_IDS.every((id) => applied.has(id));
    // a newer afk's breaking migration: the ordinary open refuses it with its fix
    if (current && running?.n === 0 && unsafeUnknown(rows, known).length === 0) return db;
  } catch {
    // not a ledger this afk can read as it is (no tables yet, locked, unreadable): open it normally
  }
  db?.close();
  return null;
}
