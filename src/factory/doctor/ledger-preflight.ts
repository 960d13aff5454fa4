import { Database } from "bun:sqlite";
import { randomUUID } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describeError } from "../../core/errors.ts";
import { backupLedger } from "../../ledger/backup.ts";
import { openDatabase } from "../../ledger/db.ts";
import { allMigrations } from "../../ledger/migrations.ts";
import { type CheckResult, fail, ok } from "./check.ts";
import { checkLedger, type LedgerFacts, ledgerFacts } from "./host-checks.ts";

/**
 * The ledger check before a deploy's swap (`doctor --preflight`): this binary's migrations are
 * applied to a consistent copy in AFK_HOME, never to the ledger the running afk still uses — an
 * older afk must not find its ledger migrated under it by a pre-flight that then turns out red.
 * A ledger a newer afk wrote is refused as an ordinary open would; with no ledger yet it is created.
 */
export function checkLedgerOnCopy(home: string): { result: CheckResult; facts?: LedgerFacts } {
  const path = join(home, "ledger.sqlite");
  if (!existsSync(path)) return checkLedger(home);
  const copy = join(home, `.afk-preflight-${randomUUID()}.sqlite`);
  try {
    backupLedger(path, copy);
    const raw = new Database(copy, { readonly: true, strict: true });
    const applied = new Set(
      raw
        .query<{ id: string }, []>("SELECT id FROM schema_migrations")
        .all()
        .map((r) => r.id),
    );
    raw.close();
    const pending = allMigrations.filter((m) => !applied.has(m.id)).map((m) => m.id);
    const db = openDatabase(copy);
    try {
      const facts = ledgerFacts(db);
      const todo = pending.length
        ? `; ${pending.join(", ")} apply (checked on a copy; applied at the first start)`
        : " and is migrated";
      return { result: ok("ledger", `${path} opens${todo} (${facts.ticks} ticks)`), facts };
    } finally {
      db.close();
    }
  } catch (err) {
    return {
      result: fail(
        "ledger",
        `${path} does not open: ${describeError(err).replaceAll(copy, path)}`,
        `check the disk (df -h ${home}); a ledger from a newer afk: roll forward, or restore its backup (ops/README.md "Roll back")`,
      ),
    };
  } finally {
    for (const s of ["", "-wal", "-shm"]) rmSync(`${copy}${s}`, { force: true });
  }
}
