import type { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import type { AppContext } from "../cli/context.ts";
import { openDatabase } from "../ledger/db.ts";

/**
 * The ledger for a read-mostly command. A home with no ledger yet is read as an empty one
 * in memory, so `afk status` works before the first tick and creates no file.
 */
export function ledgerForReading(app: AppContext): { db: Database; close(): void } {
  if (existsSync(app.ledgerPath)) return { db: app.db(), close: () => app.close() };
  const db = openDatabase(":memory:");
  return { db, close: () => db.close() };
}
