import type { Database } from "bun:sqlite";
import type { AttemptOutcome, DeliveryStatus } from "../core/delivery.ts";
import type { SinkSpec } from "../spec/schema.ts";
import { deliveryId } from "./ids.ts";
import { nextAttemptAt, type SendOutcome } from "./send-retry.ts";

/** One outbox row as stored. */
export interface OutboxRow {
  slot: string;
  sink_id: string;
  kind: SinkSpec["kind"];
  tick_id: string;
  out_path: string;
  delivery_id: string;
  status: DeliveryStatus;
  attempts: number;
  max_attempts: number;
  created_at: string;
  next_attempt_at: string;
  claimed_by_pid: number | null;
  claimed_until: string | null;
  last_attempt_at: string | null;
  last_outcome: AttemptOutcome | null;
  last_error: string | null;
  sent_at: string | null;
  alerted_at: string | null;
}

export interface Delivered {
  specName: string;
  slot: string;
  tickId: string;
  outPath: string;
}

/**
 * One row per sink for a slot whose digest just landed in out/, due now. A slot that already has
 * a row for a sink (sent, pending or failed) keeps it: a `--force` re-run of the slot never sends
 * it to that sink a second time. Call inside the transaction that closes the tick.
 */
export function enqueue(db: Database, d: Delivered, sinks: readonly SinkSpec[], now: Date): number {
  const q = db.query(
    `INSERT OR IGNORE INTO deliver_outbox
       (slot, sink_id, kind, tick_id, out_path, delivery_id, status, max_attempts, created_at, next_attempt_at)
     VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
  );
  const at = now.toISOString();
  let n = 0;
  for (const s of sinks) {
    const r = q.run(
      d.slot,
      s.id,
      s.kind,
      d.tickId,
      d.outPath,
      deliveryId(d.specName, d.slot, s.id),
      s.max_attempts,
      at,
      at,
    );
    n += r.changes;
  }
  return n;
}

/**
 * Rows left `sending` by a process that is gone (or past their claim) go back to `pending`, due
 * now: the sink may already have the digest, and gets it again under the same delivery id.
 */
export function releaseStale(db: Database, now: Date, isAlive: (pid: number) => boolean): OutboxRow[] {
  const at = now.toISOString();
  const rows = db.query<OutboxRow, []>("SELECT * FROM deliver_outbox WHERE status = 'sending'").all();
  const stale = rows.filter(
    (r) => r.claimed_by_pid === null || !isAlive(r.claimed_by_pid) || (r.claimed_until ?? "") < at,
  );
  const q = db.query(
    `UPDATE deliver_outbox SET status = 'pending', claimed_by_pid = NULL, claimed_until = NULL, next_attempt_at = ?
     WHERE slot = ? AND sink_id = ? AND status = 'sending' AND claimed_until IS ?`,
  );
  db.transaction(() => {
    for (const r of stale) q.run(at, r.slot, r.sink_id, r.claimed_until);
  }).immediate();
  return stale;
}

/** Pending rows due at `now` (every pending row when `all`), oldest slot first. */
export function dueRows(db: Database, now: Date, all = false): OutboxRow[] {
  return all
    ? db
        .query<OutboxRow, []>("SELECT * FROM deliver_outbox WHERE status = 'pending' ORDER BY slot, sink_id")
        .all()
    : db
        .query<OutboxRow, [string]>(
          "SELECT * FROM deliver_outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY slot, sink_id",
        )
        .all(now.toISOString());
}

/** The earliest time a pending row falls due, or null when none is pending. */
export function nextDue(db: Database): Date | null {
  const r = db
    .query<{ at: string | null }, []>(
      "SELECT min(next_attempt_at) AS at FROM deliver_outbox WHERE status = 'pending'",
    )
    .get();
  return r?.at ? new Date(r.at) : null;
}

/**
 * Takes a pending row for this process until `until`. False when another process (or another
 * loop in this one) took it first: only the claimant sends.
 */
export function claim(db: Database, row: OutboxRow, pid: number, until: Date): boolean {
  const r = db
    .query(
      `UPDATE deliver_outbox SET status = 'sending', claimed_by_pid = ?, claimed_until = ?
       WHERE slot = ? AND sink_id = ? AND status = 'pending'`,
    )
    .run(pid, until.toISOString(), row.slot, row.sink_id);
  return r.changes === 1;
}

/** Records one attempt: sent, retried later with backoff, or failed for good. Returns the new status. */
export function recordAttempt(db: Database, row: OutboxRow, result: SendOutcome, now: Date): DeliveryStatus {
  const attempts = row.attempts + 1;
  const at = now.toISOString();
  let status: DeliveryStatus;
  let next = row.next_attempt_at;
  if (result.outcome === "sent") status = "sent";
  else if (result.outcome === "permanent" || attempts >= row.max_attempts) status = "failed";
  else {
    status = "pending";
    next = nextAttemptAt(now, attempts, result.retryAfterMs).toISOString();
  }
  db.query(
    `UPDATE deliver_outbox SET status = ?, attempts = ?, last_attempt_at = ?, last_outcome = ?, last_error = ?,
       next_attempt_at = ?, sent_at = ?, claimed_by_pid = NULL, claimed_until = NULL
     WHERE slot = ? AND sink_id = ?`,
  ).run(
    status,
    attempts,
    at,
    result.outcome,
    result.outcome === "sent" ? null : result.error,
    next,
    result.outcome === "sent" ? at : null,
    row.slot,
    row.sink_id,
  );
  return status;
}

/** A row whose sink is no longer in the spec cannot be sent: it fails, saying so. */
export function failOrphan(db: Database, row: OutboxRow, now: Date): void {
  db.query(
    `UPDATE deliver_outbox SET status = 'failed', last_outcome = 'permanent', last_error = ?, last_attempt_at = ?
     WHERE slot = ? AND sink_id = ? AND status = 'pending'`,
  ).run(
    `sink '${row.sink_id}' is no longer in the spec's deliver: list`,
    now.toISOString(),
    row.slot,
    row.sink_id,
  );
}

/** Failed rows the watchdog has not named yet. */
export function unalertedFailures(db: Database): OutboxRow[] {
  return db
    .query<OutboxRow, []>(
      "SELECT * FROM deliver_outbox WHERE status = 'failed' AND alerted_at IS NULL ORDER BY slot, sink_id",
    )
    .all();
}

export function markAlerted(db: Database, rows: readonly OutboxRow[], now: Date): void {
  const q = db.query("UPDATE deliver_outbox SET alerted_at = ? WHERE slot = ? AND sink_id = ?");
  db.transaction(() => {
    for (const r of rows) q.run(now.toISOString(), r.slot, r.sink_id);
  }).immediate();
}

/** Re-arms failed rows (by hand: `afk deliver --retry-failed`): due now with a fresh set of attempts. */
export function rearmFailed(db: Database, now: Date): number {
  return db
    .query(
      `UPDATE deliver_outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, alerted_at = NULL
       WHERE status = 'failed'`,
    )
    .run(now.toISOString()).changes;
}

export function outboxRow(db: Database, slot: string, sinkId: string): OutboxRow | null {
  return db
    .query<OutboxRow, [string, string]>("SELECT * FROM deliver_outbox WHERE slot = ? AND sink_id = ?")
    .get(slot, sinkId);
}

/**
 * Sinks that are failing now: the newest row of the sink (by slot) failed for good. A sink heals
 * when a later digest reaches it, or when a re-armed row (`afk deliver --retry-failed`) is sent.
 * Each sink comes with its failed rows since it last delivered, newest first (at most `limit`).
 */
export function failingSinks(db: Database, limit = 10): { sinkId: string; rows: OutboxRow[] }[] {
  const newest = db
    .query<OutboxRow, []>(
      `SELECT o.* FROM deliver_outbox o
       WHERE o.slot = (SELECT max(slot) FROM deliver_outbox WHERE sink_id = o.sink_id) AND o.status = 'failed'
       ORDER BY o.sink_id`,
    )
    .all();
  const since = db.query<OutboxRow, [string, string, number]>(
    `SELECT * FROM deliver_outbox WHERE sink_id = ? AND status = 'failed'
       AND slot > ? ORDER BY slot DESC LIMIT ?`,
  );
  const lastSent = db.query<{ slot: string | null }, [string]>(
    "SELECT max(slot) AS slot FROM deliver_outbox WHERE sink_id = ? AND status = 'sent'",
  );
  return newest.map((r) => ({
    sinkId: r.sink_id,
    rows: since.all(r.sink_id, lastSent.get(r.sink_id)?.slot ?? "", limit),
  }));
}
