import type { Database } from "bun:sqlite";
import { sqlIn } from "../core/status.ts";

function quoteId(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A `CHECK (column IN (…))` kept by two triggers that refuse an insert or update outside
 * `values` (NULL passes, as in a CHECK). Used where the table cannot be rebuilt: SQLite cannot
 * add a CHECK to a table, and a rebuild would cost its other triggers (core-005's totals).
 * (Re)creates both triggers in the caller's transaction, so a later migration widens the set by
 * calling it again. The error reads like a CHECK's: `CHECK constraint failed: table.column`.
 */
export function checkByTrigger(db: Database, table: string, column: string, values: readonly string[]): void {
  const t = quoteId(table);
  const c = quoteId(column);
  const refuse = `WHEN NEW.${c} IS NOT NULL AND NEW.${c} NOT IN (${sqlIn(values)})
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: ${table}.${column}'); END`;
  for (const [name, on] of [
    [`${table}_${column}_check_insert`, `BEFORE INSERT ON ${t}`],
    [`${table}_${column}_check_update`, `BEFORE UPDATE OF ${c} ON ${t}`],
  ] as const) {
    db.run(`DROP TRIGGER IF EXISTS ${quoteId(name)}`);
    db.run(`CREATE TRIGGER ${quoteId(name)} ${on} ${refuse}`);
  }
}
