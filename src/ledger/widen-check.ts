import type { Database } from "bun:sqlite";
import { AfkError } from "../core/errors.ts";
import { sqlIn } from "../core/status.ts";

function quoteId(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Rewrites `table`'s `CHECK (column IN (…))` to list `values`: SQLite cannot alter a CHECK,
 * so the table is rebuilt as https://sqlite.org/lang_altertable.html#otheralter describes, in
 * the caller's transaction. What the ledger holds is read from the ledger itself, not assumed:
 * the table's own CREATE text (columns added since are kept), every row with its rowid (the
 * order ties are broken by), and every index and trigger on it, re-created as they were. No
 * rename is used: with foreign keys on, a rename would rewrite the view `ledger` and other
 * tables' foreign keys to the old name. A table whose CHECK already lists `values`, or
 * that does not exist yet (a fresh ledger creates it later, from the same constant), is left alone.
 */
export function widenCheck(db: Database, table: string, column: string, values: readonly string[]): boolean {
  const create = db
    .query<{ sql: string }, [string]>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get(table)?.sql;
  if (!create) return false;
  const check = new RegExp(`(CHECK\\s*\\(\\s*${column}\\s+IN\\s*\\()([^)]*)(\\))`, "g");
  const found = [...create.matchAll(check)];
  if (found.length !== 1)
    throw new AfkError(
      "io",
      `ledger: ${table}.${column}: expected one CHECK (${column} IN (…)), found ${found.length}`,
    );
  const rewritten = create.replace(check, `$1${sqlIn(values)}$3`);
  if (rewritten === create) return false;

  const attached = db
    .query<{ sql: string }, [string]>(
      "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL",
    )
    .all(table)
    .map((r) => r.sql);
  const cols = db
    .query<{ name: string }, [string]>("SELECT name FROM pragma_table_info(?)")
    .all(table)
    .map((c) => quoteId(c.name))
    .join(", ");
  const before = db.query<{ n: number }, []>(`SELECT count(*) AS n FROM ${quoteId(table)}`).get()?.n ?? 0;
  const old = quoteId(`${table}__before_rebuild`);

  // The rows wait in a plain copy while the table is dropped and created again. Other tables'
  // rows that reference it (calls → ticks) are orphans for that moment: deferred to the commit,
  // by which time every parent row is back.
  db.run("PRAGMA defer_foreign_keys = ON");
  db.run(`CREATE TABLE ${old} AS SELECT rowid AS rebuild_rowid, ${cols} FROM ${quoteId(table)}`);
  db.run(`DROP TABLE ${quoteId(table)}`); // its indexes and triggers go with it; the view stays
  db.run(rewritten);
  db.run(`INSERT INTO ${quoteId(table)} (rowid, ${cols}) SELECT rebuild_rowid, ${cols} FROM ${old}`);
  db.run(`DROP TABLE ${old}`);
  for (const sql of attached) db.run(sql);

  const after = db.query<{ n: number }, []>(`SELECT count(*) AS n FROM ${quoteId(table)}`).get()?.n ?? 0;
  const orphans = db.query("PRAGMA foreign_key_check").all();
  if (after !== before || orphans.length)
    throw new AfkError(
      "io",
      `ledger: rebuilding ${table} kept ${after} of ${before} rows and left ${orphans.length} foreign-key orphans; rolled back`,
    );
  return true;
}
