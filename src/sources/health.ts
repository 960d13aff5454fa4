import type { Database } from "bun:sqlite";
import type { FeedErrorCode, Validators } from "./types.ts";
import { withoutPassword } from "./url-secret.ts";

/** One row of `source_health`, as the status page shows it. */
export interface SourceHealth {
  source_id: string;
  consecutive_failures: number;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_outcome: "ok" | "not_modified" | "failed" | null;
  last_status: number | null;
  last_code: FeedErrorCode | null;
  last_error: string | null;
  last_via: "primary" | "backup" | null;
  last_items: number | null;
  etag: string | null;
  last_modified: string | null;
  validators_url: string | null;
}

/** What one source's fetch ended in, as recorded. */
export type HealthUpdate =
  | {
      outcome: "ok" | "not_modified";
      status: number | null;
      via: "primary" | "backup";
      items: number;
      /** Validators to keep (with the URL they belong to), or null to keep the old ones. */
      validators: (Validators & { url: string }) | null;
    }
  | { outcome: "failed"; status: number | null; code: FeedErrorCode; error: string };

/** Every source's health row, by id. */
export function readSourceHealth(db: Database): SourceHealth[] {
  return db.query<SourceHealth, []>("SELECT * FROM source_health ORDER BY source_id").all();
}

/** Every source's stored validators, by source id, with the URL (without its password) they were issued for. */
export type StoredValidators = ReadonlyMap<string, Validators & { url: string }>;

/**
 * Reads every source's validators in one query, once per fetch step: one read per source was a
 * ledger round trip each (validators only change when a tick that delivered closes).
 */
export function readStoredValidators(db: Database): StoredValidators {
  const rows = db
    .query<
      { source_id: string; etag: string | null; last_modified: string | null; validators_url: string },
      []
    >(
      `SELECT source_id, etag, last_modified, validators_url FROM source_health
        WHERE validators_url IS NOT NULL AND (etag IS NOT NULL OR last_modified IS NOT NULL)`,
    )
    .all();
  return new Map(
    rows.map((r) => [r.source_id, { etag: r.etag, lastModified: r.last_modified, url: r.validators_url }]),
  );
}

/** Validators stored for `sourceId`, only if they were issued for this same URL (kept without its password). */
export function validatorsFor(stored: StoredValidators, sourceId: string, url: string): Validators | null {
  const v = stored.get(sourceId);
  if (v === undefined || v.url !== withoutPassword(url)) return null;
  return { etag: v.etag, lastModified: v.lastModified };
}

/**
 * Keeps a source's validators for its next conditional GET. Called in the transaction that
 * records a delivery (harness/tick-row.ts), never at fetch time: validators stored by a tick that
 * then died would turn every later fetch into a 304, and those items would never be delivered.
 */
export function storeValidators(db: Database, sourceId: string, v: Validators & { url: string }): void {
  db.query(
    `INSERT INTO source_health (source_id, etag, last_modified, validators_url) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (source_id) DO UPDATE SET etag = ?2, last_modified = ?3, validators_url = ?4`,
  ).run(sourceId, v.etag, v.lastModified, withoutPassword(v.url));
}

/** Records one source's outcome: resets or increments the failure streak, keeps validators. */
export function recordHealth(db: Database, sourceId: string, at: Date, update: HealthUpdate): void {
  const now = at.toISOString();
  // db.query keeps each statement prepared for the connection's life: a tick records every source.
  if (update.outcome === "failed") {
    db.query(
      `INSERT INTO source_health (source_id, consecutive_failures, last_attempt_at, last_outcome, last_status, last_code, last_error)
       VALUES (?1, 1, ?2, 'failed', ?3, ?4, ?5)
       ON CONFLICT (source_id) DO UPDATE SET consecutive_failures = consecutive_failures + 1,
         last_attempt_at = ?2, last_outcome = 'failed', last_status = ?3, last_code = ?4, last_error = ?5`,
    ).run(sourceId, now, update.status, update.code, update.error.slice(0, 500));
    return;
  }
  db.query(
    `INSERT INTO source_health (source_id, consecutive_failures, last_attempt_at, last_success_at, last_outcome, last_status, last_via, last_items)
     VALUES (?1, 0, ?2, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT (source_id) DO UPDATE SET consecutive_failures = 0, last_attempt_at = ?2, last_success_at = ?2,
       last_outcome = ?3, last_status = ?4, last_code = NULL, last_error = NULL, last_via = ?5, last_items = ?6`,
  ).run(sourceId, now, update.outcome, update.status, update.via, update.items);
  if (update.validators !== null) storeValidators(db, sourceId, update.validators);
}

/** One source's outcome in a tick, held until the tick's fetch step writes them all (recordHealthAll). */
export interface HealthRecord {
  sourceId: string;
  at: Date;
  update: HealthUpdate;
}

/**
 * Records every source's outcome of one fetch step in one transaction: one commit per tick, not
 * one per source (each was its own write to the WAL, a fifth of a source's CPU). Validators are
 * never written here (they are null at fetch time; tick-row.ts keeps them with a delivery).
 */
export function recordHealthAll(db: Database, records: readonly HealthRecord[]): void {
  if (records.length === 0) return;
  db.transaction(() => {
    for (const r of records) recordHealth(db, r.sourceId, r.at, r.update);
  }).immediate();
}
