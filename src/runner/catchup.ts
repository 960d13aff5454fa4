import type { Database } from "bun:sqlite";
import type { Clock } from "../core/clock.ts";
import type { Schedule } from "../spec/slots.ts";
import { Span, type TraceSink } from "../trace/tracer.ts";

/** The one catch-up tick to run at start, and the slots it stands in for. */
export interface CatchUpPlan {
  /** The latest slot within the window: the only one run. */
  slot: Date;
  missedCount: number;
  /** Up to MISSED_LISTED missed slots, oldest first. */
  missed: Date[];
}

const MISSED_LISTED = 50;
const MISSED_SCAN = 10_000;

export interface CatchUpInput {
  schedule: Schedule;
  now: Date;
  catchUpHours: number;
  /** The newest slot any tick row names (whatever its status), or null on a fresh ledger. */
  lastSeenSlot: Date | null;
  delivered: (slot: Date) => boolean;
}

/**
 * Whether to catch up at start: the latest slot within `catch_up_hours` has no delivered
 * value (the host was down, the process crashed). Never more than one tick: the missed slots
 * before it are only recorded. Pure: time and the ledger come in as arguments.
 */
export function planCatchUp(i: CatchUpInput): CatchUpPlan | null {
  if (i.catchUpHours <= 0) return null;
  const windowStart = new Date(i.now.getTime() - i.catchUpHours * 3_600_000);
  const latest = i.schedule.latest(i.now);
  if (latest.getTime() < windowStart.getTime() || i.delivered(latest)) return null;
  // Slots with no row at all since the last one seen (none on a fresh ledger: nothing ran
  // before), plus the latest itself (its row, if any, did not deliver).
  const from =
    i.lastSeenSlot && i.lastSeenSlot.getTime() > windowStart.getTime() ? i.lastSeenSlot : windowStart;
  const unseen = i.lastSeenSlot ? i.schedule.between(from, i.now, MISSED_SCAN) : [];
  const missed = unseen.some((s) => s.getTime() === latest.getTime()) ? unseen : [...unseen, latest];
  return { slot: latest, missedCount: missed.length, missed: missed.slice(-MISSED_LISTED) };
}

/** The newest slot named by any tick row. */
export function lastSeenSlot(db: Database): Date | null {
  const row = db.query<{ s: string | null }, []>("SELECT max(slot) AS s FROM ticks").get();
  return row?.s ? new Date(row.s) : null;
}

/** Records the plan in `runner_catchups` and as a `runner.catchup` event in the tick's trace. */
export function recordCatchUp(
  db: Database,
  tickId: string,
  plan: CatchUpPlan,
  now: Date,
  sink: TraceSink,
  clock: Clock,
): void {
  const iso = plan.missed.map((d) => d.toISOString());
  db.query(
    `INSERT OR REPLACE INTO runner_catchups (tick_id, slot, decided_at, missed_count, missed_first, missed_last, missed)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    tickId,
    plan.slot.toISOString(),
    now.toISOString(),
    plan.missedCount,
    iso[0] ?? plan.slot.toISOString(),
    iso.at(-1) ?? plan.slot.toISOString(),
    JSON.stringify(iso),
  );
  let n = 0;
  // Its own id space, so it never collides with the harness's spans of the same tick.
  const span = new Span(tickId, "runner.catchup", null, sink, clock, () => `${tickId.slice(-6)}.c${++n}`);
  span.event("catchup.missed", {
    slot: plan.slot.toISOString(),
    missed_count: plan.missedCount,
    missed_first: iso[0] ?? null,
    missed_last: iso.at(-1) ?? null,
  });
  span.end("ok");
}
