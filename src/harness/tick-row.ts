import type { Database } from "bun:sqlite";
import { join } from "node:path";
import { dayIn } from "../core/clock.ts";
import type { Deps } from "../core/deps.ts";
import { classifyFault } from "../core/fault.ts";
import { pidAlive } from "../core/pid.ts";
import type { ClosedStatus, Trigger } from "../core/status.ts";
import { markDelivered, type TickRow } from "../ledger/ticks.ts";
import { chargeOpenReservations } from "../models/calls.ts";
import type { ChainResult } from "../models/types.ts";
import { storeValidators } from "../sources/health.ts";
import type { Validators } from "../sources/types.ts";
import type { LoadedSpec } from "../spec/load.ts";
import { fileSink, rootSpan, type Span, type TraceSink, tracePath } from "../trace/tracer.ts";

/*
 * The one writer of a tick's row. Invariants (tests/harness/tick-row.test.ts):
 * - exactly one row per tick id: a row is inserted once, `running` (openTickRow) or already
 *   closed (recordEndedTick, for a tick that ends before it starts);
 * - closed in every ending: the harness closes its own row in `finally`; the runner closes a
 *   tick that outlived its grace (closeTickRow); the next start closes a dead process's row as
 *   `crashed` (recoverCrashed);
 * - closed once: only a `running` row is closed, so the first ending wins and none is rewritten.
 */

/** What a tick's row holds from its start, before any work. */
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

/**
 * What a delivering tick commits with its row, in the same transaction: the identities of the
 * items in its digest (so later ticks skip them) and each source's validators (so its next fetch
 * may be a 304). Nothing of it is kept by a tick that ends without delivering.
 */
export interface Delivery {
  identities: readonly string[];
  validators: readonly { sourceId: string; validators: Validators & { url: string } }[];
}

/** How a tick ended: its row's closing columns. */
export interface TickEnding {
  status: ClosedStatus;
  endedAt: string;
  valueMicros?: number;
  items?: number;
  model?: string | null;
  outPath?: string | null;
  reason?: string | null;
  detail?: Record<string, unknown>;
  delivery?: Delivery;
}

/** What a caller learns about a tick that ended. */
export interface TickSummary {
  tickId: string;
  status: ClosedStatus;
  reason: string | null;
  outPath: string | null;
  valueMicros: number;
  items: number;
  model: string | null;
  tracePath: string;
  fallbacks: ChainResult["fallbacks"];
  failedSources: { id: string; code: string; error: string; optional: boolean }[];
}

/** The facts a tick starts from: who runs it, for which slot, on which spec. */
export interface TickStart {
  id: string;
  slot: Date;
  trigger: Trigger;
  now: Date;
  loaded: LoadedSpec;
  version: string;
  pid: number;
}

export function openTickOf(s: TickStart): OpenTick {
  const day = dayIn(s.now, s.loaded.spec.timezone);
  return {
    id: s.id,
    slot: s.slot.toISOString(),
    trigger: s.trigger,
    day,
    startedAt: s.now.toISOString(),
    pid: s.pid,
    version: s.version,
    specHash: s.loaded.hash,
    specOrigin: s.loaded.origin,
    tracePath: tracePath(day),
  };
}

/** Where a tick's trace goes: the given sink (tests), else runs/<day>/trace.jsonl under AFK_HOME. */
export function tickSink(home: string, redact: Deps["redact"], open: OpenTick, sink?: TraceSink): TraceSink {
  return sink ?? fileSink(join(home, open.tracePath), redact);
}

/** The tick's root span, carrying the same facts as its row. */
export function tickRoot(open: OpenTick, sink: TraceSink, clock: Deps["clock"]): Span {
  return rootSpan(open.id, sink, clock).set({
    trigger: open.trigger,
    slot: open.slot,
    version: open.version,
    spec_hash: open.specHash,
    spec_origin: open.specOrigin,
  });
}

/** Opens the tick's row as `running` before any work, so a crash leaves evidence to close. */
export function openTickRow(db: Database, t: OpenTick): void {
  db.query(
    `INSERT INTO ticks (id, slot, trigger, status, day, started_at, pid, version, spec_hash, spec_origin, trace_path)
     VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)`,
  ).run(t.id, t.slot, t.trigger, t.day, t.startedAt, t.pid, t.version, t.specHash, t.specOrigin, t.tracePath);
}

/**
 * Another tick of the same slot that already booked value: a re-run (`--force`, catch-up) of a
 * delivered slot books none, so value out stays one unit per slot with value.
 */
function slotValuedBy(db: Database, id: string): string | null {
  return (
    db
      .query<{ id: string }, [string]>(
        `SELECT o.id FROM ticks o JOIN ticks t ON t.id = ? AND o.slot = t.slot
          WHERE o.id <> t.id AND o.value_micros > 0 ORDER BY o.started_at LIMIT 1`,
      )
      .get(id)?.id ?? null
  );
}

/**
 * Closes a running row. Only a `running` row is closed, so a row is never closed twice. In one
 * transaction: the slot's value is booked at most once, and a delivery's item marks and
 * validators are kept only if this close is the one that happened.
 */
export function closeTickRow(db: Database, id: string, c: TickEnding): boolean {
  return db
    .transaction(() => {
      let value = c.valueMicros ?? 0;
      let reason = c.reason ?? null;
      const valuedBy = value > 0 ? slotValuedBy(db, id) : null;
      if (valuedBy) {
        value = 0;
        const note = `slot already valued by tick ${valuedBy}: this re-run books no second value`;
        reason = reason ? `${reason}; ${note}` : note;
      }
      const res = db
        .query(
          `UPDATE ticks SET status = ?, ended_at = ?, value_micros = ?, items = ?, model = ?, out_path = ?, reason = ?, detail = ?
           WHERE id = ? AND status = 'running'`,
        )
        .run(
          c.status,
          c.endedAt,
          value,
          c.items ?? 0,
          c.model ?? null,
          c.outPath ?? null,
          reason,
          JSON.stringify(c.detail ?? {}),
          id,
        );
      if (res.changes !== 1) return false;
      if (c.delivery) {
        markDelivered(db, id, c.delivery.identities, c.endedAt);
        for (const v of c.delivery.validators) storeValidators(db, v.sourceId, v.validators);
      }
      return true;
    })
    .immediate();
}

/** A disk fault (full, quota) that a smaller write may still get past. */
export function isFullDisk(err: unknown): boolean {
  return /\((SQLITE_FULL|ENOSPC|EDQUOT)\)$/.test(classifyFault(err).what);
}

/**
 * Closes a running row whose full close failed because the ledger's disk is full: `failed`, the
 * fault and its fix as the reason, nothing else (no detail, no item marks, no outbox). The WAL
 * is checkpointed first, so the update can reuse the WAL file's room instead of growing it.
 * The same honest ending as `out/` full; `crashed` stays for a process that died. Throws when
 * even this does not fit (the row is then closed `crashed` at the next start).
 */
export function closeOnFullDisk(db: Database, id: string, endedAt: string, err: unknown): boolean {
  const fault = classifyFault(err);
  try {
    db.run("PRAGMA wal_checkpoint(RESTART)");
  } catch {
    // a checkpoint that cannot finish leaves the WAL as it was: the update is tried anyway
  }
  const res = db
    .query("UPDATE ticks SET status = 'failed', ended_at = ?, reason = ? WHERE id = ? AND status = 'running'")
    .run(endedAt, `${fault.what} — fix: ${fault.fix}`, id);
  return res.changes === 1;
}

/** Records a tick that ends before it starts (refused, halted, skipped): one row, already closed. */
export function recordEndedTick(db: Database, t: OpenTick, end: TickEnding): void {
  db.transaction(() => {
    openTickRow(db, t);
    closeTickRow(db, t.id, end);
  }).immediate();
}

/** How a tick ended, as its summary tells it (harness/outcome.ts adds what its row's close keeps). */
export interface TickResult {
  status: ClosedStatus;
  reason: string | null;
  outPath?: string;
  valueMicros?: number;
  items?: number;
  model?: string;
  fallbacks?: TickSummary["fallbacks"];
  failedSources?: TickSummary["failedSources"];
}

/** The summary of a tick from its id, trace and ending. */
export function summaryOf(open: Pick<OpenTick, "id" | "tracePath">, o: TickResult): TickSummary {
  return {
    tickId: open.id,
    status: o.status,
    reason: o.reason,
    outPath: o.outPath ?? null,
    valueMicros: o.valueMicros ?? 0,
    items: o.items ?? 0,
    model: o.model ?? null,
    tracePath: open.tracePath,
    fallbacks: o.fallbacks ?? [],
    failedSources: o.failedSources ?? [],
  };
}

/**
 * A tick that ends before it starts (refused, halted, skipped): one closed row and a one-span
 * trace saying why; `attrs` go to both the row's detail and the span.
 */
export function endBeforeStart(
  db: Database,
  open: OpenTick,
  sink: TraceSink,
  clock: Deps["clock"],
  end: { status: ClosedStatus; reason: string; attrs?: Record<string, string | number> },
): TickSummary {
  const attrs = end.attrs ?? {};
  recordEndedTick(db, open, {
    status: end.status,
    endedAt: clock.now().toISOString(),
    reason: end.reason,
    detail: attrs,
  });
  tickRoot(open, sink, clock)
    .set({ reason: end.reason, ...attrs })
    .end(end.status);
  return summaryOf(open, { status: end.status, reason: end.reason });
}

/**
 * Closes `running` rows whose process is gone as `crashed`, and charges their open
 * reservations in full (spend already incurred is never lost). Run at every start-up.
 * `isAlive` is injectable so tests need not find a dead pid; `isGone`, when given, decides instead
 * (runner/liveness.ts: by the holder's host, boot, PID namespace and start time, so a tick of
 * another host or container sharing the ledger is never closed by a pid check here). `notes` add to
 * a row's reason, by tick id (what the start did about the tick's job group, runner/job-orphans.ts).
 */
export function recoverCrashed(
  db: Database,
  now: Date,
  selfPid: number,
  isAlive: (pid: number) => boolean = pidAlive,
  isGone: (row: TickRow) => boolean = (r) => !isAlive(r.pid),
  notes: ReadonlyMap<string, string> = new Map(),
): TickRow[] {
  const running = db.query<TickRow, []>("SELECT * FROM ticks WHERE status = 'running'").all();
  const dead = running.filter((r) => r.pid !== selfPid && isGone(r));
  const endedAt = now.toISOString();
  db.transaction(() => {
    for (const r of dead) {
      closeTickRow(db, r.id, {
        status: "crashed",
        endedAt,
        reason: [`process ${r.pid} died mid-tick; closed at next start`, notes.get(r.id)]
          .filter(Boolean)
          .join("; "),
      });
      chargeOpenReservations(db, r.id, endedAt);
    }
  }).immediate();
  return dead;
}
