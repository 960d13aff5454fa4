import { Database } from "bun:sqlite";
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { AfkError } from "../core/errors.ts";
import { classifyFault } from "../core/fault.ts";
import { type Migration, migrate } from "./migrate.ts";
import { allMigrations } from "./migrations.ts";

/**
 * Refuses a ledger written by a newer afk: a migration id this afk does not know means tables
 * or meanings it would misread (or write wrongly). The ledger is left as it is.
 */
function refuseNewer(db: Database, path: string, known: readonly Migration[]): void {
  const has = db
    .query<{ n: number }, []>("SELECT count(*) AS n FROM sqlite_master WHERE name = 'schema_migrations'")
    .get();
  if (!has?.n) return;
  const ids = new Set(known.map((m) => m.id));
  const unknown = db
    .query<{ id: string }, []>("SELECT id FROM schema_migrations ORDER BY id")
    .all()
    .map((r) => r.id)
    .filter((id) => !ids.has(id));
  if (unknown.length > 0)
    throw new AfkError(
      "io",
      `ledger: ${path} was written by a newer afk (migration ${unknown.join(", ")} is unknown to this one) — fix: run the newer afk, or move the ledger aside to start a new one`,
    );
}

/**
 * SQLite says only "cannot open" when the ledger's folder is read-only (the WAL's -shm cannot be
 * made): ask the file system, so the operator reads "read-only (EROFS)", not a riddle.
 */
function whyCannotOpen(err: unknown, path: string): unknown {
  if ((err as { code?: string } | null)?.code !== "SQLITE_CANTOPEN") return err;
  try {
    accessSync(dirname(path), constants.W_OK);
    if (existsSync(path)) accessSync(path, constants.W_OK);
    return err;
  } catch (why) {
    return why;
  }
}

/**
 * Opens (creating if needed) a ledger file: WAL so `afk status` reads while `serve` writes,
 * a busy timeout so two processes queue instead of failing, then every pending migration.
 * A ledger from a newer afk is refused; a disk or file fault is one line with its fix (exit 5).
 */
export function openDatabase(path: string): Database {
  let db: Database | null = null;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { create: true, strict: true });
    db.run("PRAGMA busy_timeout = 5000");
    db.run("PRAGMA journal_mode = WAL");
    db.run("PRAGMA synchronous = NORMAL");
    db.run("PRAGMA foreign_keys = ON");
    refuseNewer(db, path, allMigrations);
    migrate(db, allMigrations);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof AfkError) throw err;
    const fault = classifyFault(whyCannotOpen(err, path));
    throw new AfkError(
      "io",
      `ledger: cannot open ${path}: ${fault.what}${fault.fix ? ` — fix: ${fault.fix}` : ""}`,
      {
        cause: err,
      },
    );
  }
}
