import { Database } from "bun:sqlite";
import { existsSync, renameSync, rmSync } from "node:fs";
import { AfkError } from "../core/errors.ts";
import { classifyFault } from "../core/fault.ts";
import type { Micros } from "../core/money.ts";

/** What a ledger file holds, as far as a backup's line and a rollback's question need. */
export interface LedgerMark {
  ticks: number;
  lastStartedAt: string | null;
  /** The highest rowid of `ticks` and of `calls`: rows written after the backup are above them. */
  tickRowid: number;
  callId: number;
}

/** `path` opened read-only and never migrated (a ledger or a backup of one); a clear error when it cannot be. */
export function readOnly(path: string, what: string): Database {
  if (!existsSync(path)) throw new AfkError("io", `backup: no ${what} at ${path}`);
  try {
    const db = new Database(path, { readonly: true, strict: true });
    db.run("PRAGMA busy_timeout = 5000");
    return db;
  } catch (err) {
    throw new AfkError("io", `backup: cannot open ${what} ${path}: ${classifyFault(err).what}`, {
      cause: err,
    });
  }
}

function markOf(db: Database): LedgerMark {
  const t = db
    .query<{ n: number; last: string | null; top: number | null }, []>(
      "SELECT count(*) AS n, max(started_at) AS last, max(rowid) AS top FROM ticks",
    )
    .get();
  const c = db.query<{ top: number | null }, []>("SELECT max(id) AS top FROM call_spend").get();
  return { ticks: t?.n ?? 0, lastStartedAt: t?.last ?? null, tickRowid: t?.top ?? 0, callId: c?.top ?? 0 };
}

/**
 * A consistent copy of the ledger at `dest`, taken while serve may be writing: `VACUUM INTO` reads
 * one snapshot (a WAL database's committed state, whatever the -wal file holds), never a file copy
 * of a half-checkpointed database. The ledger is opened read-only and not migrated, so a newer afk
 * can back up the ledger an older one wrote before it touches it. Written beside `dest` first and
 * renamed over it: `dest` is the old backup or the new one, never half of one.
 */
export function backupLedger(src: string, dest: string): LedgerMark {
  const db = readOnly(src, "ledger");
  const tmp = `${dest}.tmp-${process.pid}`;
  try {
    const mark = markOf(db);
    rmSync(tmp, { force: true });
    db.run("VACUUM INTO ?", [tmp]);
    renameSync(tmp, dest);
    return mark;
  } catch (err) {
    rmSync(tmp, { force: true });
    if (err instanceof AfkError) throw err;
    throw new AfkError("io", `backup: ${src} → ${dest}: ${classifyFault(err).what}`, { cause: err });
  } finally {
    db.close();
  }
}

/** What the ledger holds that the backup at `backup` does not: what restoring it would lose. */
export interface SinceBackup {
  ticks: number;
  firstStartedAt: string | null;
  /** Spend of the model calls recorded since (open reservations in full): hidden from the cap by a restore. */
  spendMicros: Micros;
}

/** Compares the live ledger with a backup of it, both read-only: rows above the backup's marks are new. */
export function sinceBackup(ledger: string, backup: string): SinceBackup {
  const b = readOnly(backup, "backup");
  let mark: LedgerMark;
  try {
    mark = markOf(b);
  } finally {
    b.close();
  }
  const db = readOnly(ledger, "ledger");
  try {
    const t = db
      .query<{ n: number; first: string | null }, [number]>(
        "SELECT count(*) AS n, min(started_at) AS first FROM ticks WHERE rowid > ?",
      )
      .get(mark.tickRowid);
    const s = db
      .query<{ micros: number }, [number]>(
        "SELECT coalesce(sum(spend_micros), 0) AS micros FROM call_spend WHERE id > ?",
      )
      .get(mark.callId);
    return { ticks: t?.n ?? 0, firstStartedAt: t?.first ?? null, spendMicros: (s?.micros ?? 0) as Micros };
  } finally {
    db.close();
  }
}
