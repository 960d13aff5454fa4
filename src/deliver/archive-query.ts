import type { Database } from "bun:sqlite";
import { DELIVERED_SQL } from "../core/status.ts";
import type { TickRow } from "../ledger/ticks.ts";

/** The delivering tick of each slot that has a digest (the newest one after a `--force` re-run). */
const LATEST_PER_SLOT = `
  FROM ticks t
 WHERE t.status IN ${DELIVERED_SQL} AND t.out_path IS NOT NULL
   AND t.rowid = (SELECT t2.rowid FROM ticks t2
                   WHERE t2.slot = t.slot AND t2.status IN ${DELIVERED_SQL} AND t2.out_path IS NOT NULL
                   ORDER BY t2.started_at DESC, t2.rowid DESC LIMIT 1)`;

/** Past digests, newest slot first. */
export function digestTicks(db: Database, limit: number, offset = 0): TickRow[] {
  return db
    .query<TickRow, [number, number]>(`SELECT t.* ${LATEST_PER_SLOT} ORDER BY t.slot DESC LIMIT ? OFFSET ?`)
    .all(limit, offset);
}

export function digestCount(db: Database): number {
  return (
    db
      .query<{ n: number }, []>(
        `SELECT count(DISTINCT slot) AS n FROM ticks WHERE status IN ${DELIVERED_SQL} AND out_path IS NOT NULL`,
      )
      .get()?.n ?? 0
  );
}

export function digestForSlot(db: Database, slot: string): TickRow | null {
  return db.query<TickRow, [string]>(`SELECT t.* ${LATEST_PER_SLOT} AND t.slot = ?`).get(slot);
}
