import type { Database } from "bun:sqlite";
import { MIN_PIECE, REDACTED, secretValues, secretWindows } from "../core/redact.ts";

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * Makes this connection redact secrets by value in every text the ledger stores: temporary triggers
 * (this connection only; the secrets live in memory, never in the file) rewrite each free-text column
 * of each table after an insert or update that put a secret, or a distinctive 8+ character piece of
 * one, into it. One place for the ledger sink, whatever module writes the row.
 */
export function installLedgerRedaction(db: Database, values: Iterable<string | undefined>): number {
  const secrets = secretValues(values);
  if (secrets.length === 0) return 0;
  const needles = [...secrets, ...secretWindows(secrets), ...secrets.filter((s) => s.length < MIN_PIECE)];
  const tables = db
    .query<{ name: string }, []>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE '%WITHOUT ROWID%'",
    )
    .all()
    .map((r) => r.name);
  let n = 0;
  for (const table of tables) {
    const columns = db
      .query<{ name: string; type: string; pk: number }, []>(`PRAGMA table_info(${q(table)})`)
      .all()
      .filter((c) => c.pk === 0 && /TEXT/i.test(c.type))
      .map((c) => c.name);
    for (const col of columns) {
      const c = `"${col.replaceAll('"', '""')}"`;
      const rewritten = needles.reduce((expr, s) => `replace(${expr}, ${q(s)}, ${q(REDACTED)})`, c);
      const touched = needles.map((s) => `instr(${c}, ${q(s)}) > 0`).join(" OR ");
      const body = `UPDATE "${table}" SET ${c} = ${rewritten} WHERE rowid = NEW.rowid AND ${c} IS NOT NULL AND (${touched});`;
      for (const [when, name] of [
        ["AFTER INSERT", "i"],
        [`AFTER UPDATE OF ${c}`, "u"],
      ] as const) {
        db.run(
          `CREATE TEMP TRIGGER IF NOT EXISTS "afk_redact_${name}_${table}_${col}" ${when} ON main."${table}" BEGIN ${body} END`,
        );
        n++;
      }
    }
  }
  return n;
}
