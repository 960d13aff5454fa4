import type { Database } from "bun:sqlite";
import { DELIVERED_SQL, type TickStatus, type Trigger } from "../core/status.ts";

export interface TickRow {
  id: string;
  slot: string;
  trigger: Trigger;
  status: TickStatus;
  day: string;
  started_at: string;
  ended_at: string | null;
  pid: number;
  version: string;
  spec_hash: string;
  spec_origin: string;
  value_micros: number;
  items: number;
  model: string | null;
  out_path: string | null;
  trace_path: string | null;
  reason: string | null;
  detail: string;
}

export function getTick(db: Database, id: string): TickRow | null {
  return db.query<TickRow, [string]>("SELECT * FROM ticks WHERE id = ?").get(id);
}

export function lastTick(db: Database): TickRow | null {
  return db.query<TickRow, []>("SELECT * FROM ticks ORDER BY started_at DESC, rowid DESC LIMIT 1").get();
}

/** Whether a slot has any row (run, refused, halted or skipped). */
export function slotHasRow(db: Database, slot: string): boolean {
  return (
    db.query<{ n: number }, [string]>("SELECT 1 AS n FROM ticks WHERE slot = ? LIMIT 1").get(slot) !== null
  );
}

/** The delivered (ok/degraded) row for a slot, if any: a second delivery of a slot is skipped. */
export function deliveredForSlot(db: Database, slot: string): TickRow | null {
  return db
    .query<TickRow, [string]>(
      `SELECT * FROM ticks WHERE slot = ? AND status IN ${DELIVERED_SQL} ORDER BY started_at DESC LIMIT 1`,
    )
    .get(slot);
}

/** Spend on a calendar day: settled costs plus open reservations at their full amount. */
export function spendOnDay(db: Database, day: string): number {
  const row = db
    .query<{ s: number }, [string]>(
      "SELECT coalesce(sum(spend_micros), 0) AS s FROM call_spend WHERE day = ?",
    )
    .get(day);
  return row?.s ?? 0;
}

/**
 * Identities among `ids` already delivered in an earlier digest. One statement for the whole
 * list (a JSON array bound once), not one lookup per item: a tick asks for every item it fetched.
 */
export function deliveredIdentities(db: Database, ids: readonly string[]): Set<string> {
  if (ids.length === 0) return new Set();
  const rows = db
    .query<{ identity: string }, [string]>(
      "SELECT identity FROM delivered_items WHERE identity IN (SELECT value FROM json_each(?))",
    )
    .all(JSON.stringify(ids));
  return new Set(rows.map((r) => r.identity));
}

export function markDelivered(db: Database, tickId: string, ids: readonly string[], at: string): void {
  const q = db.query(
    "INSERT OR IGNORE INTO delivered_items (identity, tick_id, delivered_at) VALUES (?, ?, ?)",
  );
  db.transaction(() => {
    for (const id of ids) q.run(id, tickId, at);
  }).immediate();
}
