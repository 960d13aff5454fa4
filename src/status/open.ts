import type { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { openDatabase } from "../ledger/db.ts";
import { openLedgerReadOnly } from "../ledger/read-only.ts";
import type { AppContext } from "../runner/app.ts";

/**
 * The ledger for a read-mostly command. A home with no ledger yet is read as an empty one
 * in memory, so `afk status` works before the first tick and creates no file. `readOnly`: open
 * it read-only when it needs no migration or crash recovery (else the ordinary way, which does them).
 */
export function ledgerForReading(
  app: AppContext,
  opts: { readOnly?: boolean } = {},
): { db: Database; close(): void } {
  if (existsSync(app.ledgerPath)) {
    const ro = opts.readOnly ? openLedgerReadOnly(app.ledgerPath) : null;
    if (ro) return { db: ro, close: () => ro.close() };
    return { db: app.db(), close: () => app.close() };
  }
  const db = openDatabase(":memory:");
  return { db, close: () => db.close() };
}
