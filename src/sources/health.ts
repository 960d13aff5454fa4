import type { Database } from "bun:sqlite";
import type { Validators } from "./http.ts";
import type { FeedErrorCode } from "./types.ts";
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

/** Validators stored for `sourceId`, only if they were issued for this same URL (kept without its password). */
export function readValidators(db: Database, sourceId: string, url: string): Validators | null {
  const row = db
    .query<{ etag: string | null; last_modified: string | null }, [string, string]>(
      "SELECT etag, last_modified FROM source_health WHERE source_id = ? AND validators_url = ?",
    )
    .get(sourceId, withoutPassword(url));
  if (!row || (row.etag === null && row.last_modified === null)) return null;
  return { etag: row.etag, lastModified: row.last_modified };
}

/**
 * Keeps a source's validators for its next conditional GET. Called in the transaction that
 * records a delivery (harness/tick-row.ts), never at fetch time: validators stored by a tick that
 * then died would turn every later fetch into a 304, and those items would never be delivered.
 */
export function storeValidators(db: Database, sourceId: string, v: Validators & { url: string }): void {
  db.run("INSERT INTO source_health (source_id) VALUES (?) ON CONFLICT (source_id) DO NOTHING", [sourceId]);
  db.run("UPDATE source_health SET etag = ?, last_modified = ?, validators_url = ? WHERE source_id = ?", [
    v.etag,
    v.lastModified,
    withoutPassword(v.url),
    sourceId,
  ]);
}

/** Records one source's outcome: resets or increments the failure streak, keeps validators. */
export function recordHealth(db: Database, sourceId: string, at: Date, update: HealthUpdate): void {
  const now = at.toISOString();
  db.run("INSERT INTO source_health (source_id) VALUES (?) ON CONFLICT (source_id) DO NOTHING", [sourceId]);
  if (update.outcome === "failed") {
    db.run(
      `UPDATE source_health SET consecutive_failures = consecutive_failures + 1, last_attempt_at = ?,
         last_outcome = 'failed', last_status = ?, last_code = ?, last_error = ? WHERE source_id = ?`,
      [now, update.status, update.code, update.error.slice(0, 500), sourceId],
    );
    return;
  }
  db.run(
    `UPDATE source_health SET consecutive_failures = 0, last_attempt_at = ?, last_success_at = ?,
       last_outcome = ?, last_status = ?, last_code = NULL, last_error = NULL, last_via = ?, last_items = ?
     WHERE source_id = ?`,
    [now, now, update.outcome, update.status, update.via, update.items, sourceId],
  );
  if (update.validators !== null) storeValidators(db, sourceId, update.validators);
}
