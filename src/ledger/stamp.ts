import type { Database } from "bun:sqlite";

export interface LedgerStamp {
  /** Bumped by a commit from any other connection (another process, `afk status`). */
  dataVersion: number;
  /** Rows written by this connection (the runner shares it), triggers included. */
  changes: number;
}

/**
 * What changes whenever the ledger does, read in a few microseconds: two equal stamps on one
 * connection mean nothing was committed in between, so anything derived from the rows still holds.
 */
export function ledgerStamp(db: Database): LedgerStamp {
  const row = db
    .query<LedgerStamp, []>(
      "SELECT (SELECT data_version FROM pragma_data_version) AS dataVersion, total_changes() AS changes",
    )
    .get();
  return { dataVersion: row?.dataVersion ?? -1, changes: row?.changes ?? -1 };
}

export function sameStamp(a: LedgerStamp, b: LedgerStamp): boolean {
  return a.dataVersion === b.dataVersion && a.changes === b.changes;
}
