import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { AfkError, describeError } from "../core/errors.ts";
import { migrate } from "./migrate.ts";
import { allMigrations } from "./migrations.ts";

/**
 * Opens (creating if needed) a ledger file: WAL so `afk status` reads while `serve` writes,
 * a busy timeout so two processes queue instead of failing, then every pending migration.
 */
export function openDatabase(path: string): Database {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, { create: true, strict: true });
    db.run("PRAGMA busy_timeout = 5000");
    db.run("PRAGMA journal_mode = WAL");
    db.run("PRAGMA synchronous = NORMAL");
    db.run("PRAGMA foreign_keys = ON");
    migrate(db, allMigrations);
    return db;
  } catch (err) {
    throw new AfkError("io", `ledger: cannot open ${path}: ${describeError(err)}`, { cause: err });
  }
}
