import { Database } from "bun:sqlite";
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { AfkError } from "../core/errors.ts";
import { classifyFault } from "../core/fault.ts";
import { unsafeUnknownMigrations } from "./compat.ts";
import { type Migration, migrate } from "./migrate.ts";
import { allMigrations } from "./migrations.ts";

/**
 * Refuses a ledger written by a newer afk when one of its migrations is unknown here and was not
 * recorded as additive (compat.ts): tables or meanings this afk would misread or write wrongly.
 * Unknown additive migrations (a new table, index, trigger it never trips) are fine: an afk rolled
 * back after an upgrade keeps running on the ledger the newer one left. The ledger is left as it is.
 */
function refuseNewer(db: Database, path: string, known: readonly Migration[]): void {
  const unsafe = unsafeUnknownMigrations(db, new Set(known.map((m) => m.id)));
  if (unsafe.length > 0)
    throw new AfkError(
      "io",
      `ledger: ${path} was written by a newer afk (migration ${unsafe.join(", ")} is unknown to this one) — fix: roll forward to the afk that wrote it, or restore the ledger backup taken before that upgrade (scripts/deploy.sh keeps it as ledger.prev.sqlite beside afk.prev; ops/README.md "Roll back")`,
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
