import type { Database } from "bun:sqlite";
import { pidAlive } from "../core/pid.ts";
import type { ClosedStatus, TickStatus, Trigger } from "../core/status.ts";

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

export interface OpenTick {
  id: string;
  slot: string;
  trigger: Trigger;
  day: string;
  startedAt: string;
  pid: number;
  version: string;
  specHash: string;
  specOrigin: string;
  tracePath: string;
}

export interface CloseTick {
  status: ClosedStatus;
  endedAt: string;
  valueMicros?: number;
  items?: number;
  model?: string | null;
  outPath?: string | null;
  reason?: string | null;
  detail?: Record<string, unknown>;
}

/** Opens the tick's row as `running` before any work, so a crash leaves evidence to close. */
export function openTickRow(db: Database, t: OpenTick): void {
  db.query(
    `INSERT INTO ticks (id, slot, trigger, status, day, started_at, pid, version, spec_hash, spec_origin, trace_path)
     VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)`,
  ).run(t.id, t.slot, t.trigger, t.day, t.startedAt, t.pid, t.version, t.specHash, t.specOrigin, t.tracePath);
}

/** Records a tick that ends before it starts (refused, halted, skipped): one row, already closed. */
export function recordClosedTick(db: Database, t: OpenTick, close: CloseTick): void {
  db.transaction(() => {
    openTickRow(db, t);
    closeTickRow(db, t.id, close);
  }).immediate();
}

/** Closes a running row. Only a `running` row is closed, so a row is never closed twice. */
export function closeTickRow(db: Database, id: string, c: CloseTick): boolean {
  const res = db
    .query(
      `UPDATE ticks SET status = ?, ended_at = ?, value_micros = ?, items = ?, model = ?, out_path = ?, reason = ?, detail = ?
       WHERE id = ? AND status = 'running'`,
    )
    .run(
      c.status,
      c.endedAt,
      c.valueMicros ?? 0,
      c.items ?? 0,
      c.model ?? null,
      c.outPath ?? null,
      c.reason ?? null,
      JSON.stringify(c.detail ?? {}),
      id,
    );
  return res.changes === 1;
}

export function getTick(db: Database, id: string): TickRow | null {
  return db.query<TickRow, [string]>("SELECT * FROM ticks WHERE id = ?").get(id);
}

export function lastTick(db: Database): TickRow | null {
  return db.query<TickRow, []>("SELECT * FROM ticks ORDER BY started_at DESC, rowid DESC LIMIT 1").get();
}

/** The delivered (ok/degraded) row for a slot, if any: a second delivery of a slot is skipped. */
export function deliveredForSlot(db: Database, slot: string): TickRow | null {
  return db
    .query<TickRow, [string]>(
      "SELECT * FROM ticks WHERE slot = ? AND status IN ('ok','degraded') ORDER BY started_at DESC LIMIT 1",
    )
    .get(slot);
}

/**
 * Closes `running` rows whose process is gone as `crashed`, and charges their open
 * reservations in full (spend already incurred is never lost). Run at every start-up.
 * `isAlive` is injectable so tests need not find a dead pid.
 */
export function recoverCrashed(
  db: Database,
  now: Date,
  selfPid: number,
  isAlive: (pid: number) => boolean = pidAlive,
): TickRow[] {
  const running = db.query<TickRow, []>("SELECT * FROM ticks WHERE status = 'running'").all();
  const dead = running.filter((r) => r.pid !== selfPid && !isAlive(r.pid));
  const endedAt = now.toISOString();
  db.transaction(() => {
    for (const r of dead) {
      closeTickRow(db, r.id, {
        status: "crashed",
        endedAt,
        reason: `process ${r.pid} died mid-tick; closed at next start`,
      });
      db.query(
        `UPDATE calls SET state = 'charged_full', cost_micros = reserved_micros, ended_at = ?, outcome = 'crashed'
         WHERE tick_id = ? AND state = 'reserved'`,
      ).run(endedAt, r.id);
    }
  }).immediate();
  return dead;
}

/** Spend on a calendar day: settled costs plus open reservations at their full amount. */
export function spendOnDay(db: Database, day: string): number {
  const row = db
    .query<{ s: number }, [string]>(
      `SELECT coalesce(sum(CASE WHEN state = 'reserved' THEN reserved_micros ELSE cost_micros END), 0) AS s
       FROM calls WHERE day = ?`,
    )
    .get(day);
  return row?.s ?? 0;
}

/** Identities among `ids` already delivered in an earlier digest. */
export function deliveredIdentities(db: Database, ids: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const q = db.query<{ identity: string }, [string]>(
    "SELECT identity FROM delivered_items WHERE identity = ?",
  );
  for (const id of ids) if (q.get(id)) seen.add(id);
  return seen;
}

export function markDelivered(db: Database, tickId: string, ids: readonly string[], at: string): void {
  const q = db.query(
    "INSERT OR IGNORE INTO delivered_items (identity, tick_id, delivered_at) VALUES (?, ?, ?)",
  );
  db.transaction(() => {
    for (const id of ids) q.run(id, tickId, at);
  }).immediate();
}
