import { EXIT } from "../core/exit.ts";
import { untilAborted } from "../core/wait.ts";
import { deliveredForSlot, slotHasRow } from "../ledger/ticks.ts";
import type { Schedule } from "../spec/slots.ts";
import { lastSeenSlot, planCatchUp } from "./catchup.ts";
import { lastDueSlotHandled } from "./due-slot.ts";
import { flagPresent } from "./flag.ts";
import { watchFlag } from "./flag-watch.ts";
import { guardOnly, preloadPipelineNear } from "./guarded.ts";
import type { RunnerHandle } from "./handle.ts";
import { type HoldWatch, watchHold } from "./hold-watch.ts";
import { type Inflight, type InflightEnv, type LoopOutcome, trackInflight } from "./inflight.ts";
import { recordPassedSlots } from "./passed.ts";

export type { LoopOutcome } from "./inflight.ts";

export interface LoopEnv extends InflightEnv {
  schedule: Schedule;
}

export interface Runner extends RunnerHandle {
  /** Resolves once the loop has stopped and every tick it started has a closed row. */
  readonly done: Promise<LoopOutcome>;
}

/** One runner's moving parts, shared by the loop's steps. */
interface LoopState {
  env: LoopEnv;
  stop: AbortController;
  hold: HoldWatch;
  ticks: Inflight;
  /** The next slot the loop sleeps towards; null while it does not. */
  next: Date | null;
  /** True until the loop has stopped and its ticks are settled. */
  alive: boolean;
  /** What keeps the loop from the slots coming due now (named in a passed slot's row). */
  busy: string;
  /** Records the first ending and aborts everything in flight. */
  end(o: LoopOutcome): void;
}

/**
 * The scheduler loop of `afk serve`. At start: the guard, then at most one catch-up tick.
 * Then: sleep until the next slot (ports.waitUntil), start its tick without waiting for it
 * (a slot that comes due while one runs finds the lock held: `skipped_overlap`), repeat. When
 * more than one slot came due since the last (a catch-up tick, a late wake-up) only the latest
 * runs, and each one before it gets its own row saying so: every slot passed has one.
 * Stops only on requestStop (signals, POST /kill); a refused or halted tick holds the ticks,
 * not the process. What is due is decided from the injected clock; the ports only wake the loop.
 */
export function startRunner(env: LoopEnv): Runner {
  const startedAt = env.app.deps.clock.now();
  const stop = new AbortController();
  let outcome: LoopOutcome | null = null;
  const end = (o: LoopOutcome) => {
    outcome ??= o;
    if (!stop.signal.aborted) stop.abort(o.reason);
  };
  const hold = watchHold(env.app, env.schedule);
  const ticks = trackInflight(env, stop.signal, (s) => hold.observe(s), end);
  const state: LoopState = { env, stop, hold, ticks, next: null, alive: true, busy: LATE_WAKE, end };
  return {
    done: runLoop(state).then((o) => outcome ?? o),
    alive: () => state.alive,
    nextRun: () => state.next,
    lastDueSlotHandled: () => lastDueSlotHandled(env.app, env.schedule, startedAt),
    requestStop: (reason) => end({ exitCode: EXIT.ok, reason }),
  };
}

/** The loop from start to stop; every tick it started has a closed row when it returns. */
async function runLoop(s: LoopState): Promise<LoopOutcome> {
  const { schedule, app } = s.env;
  try {
    let last = await startUp(s);
    while (!s.stop.signal.aborted) {
      // A slot that came due while the loop was busy (the catch-up tick) runs now, not never.
      last = launchLatest(s, last, last);
      s.busy = LATE_WAKE;
      const woke = await sleepToNextSlot(s, last);
      if (woke === "stop") break;
      if (woke === "flag") {
        // Recorded against the slot in progress; the next slot gets its own guard when it comes.
        refuseIfGuarded(s, schedule.latest(app.deps.clock.now()));
        continue;
      }
      last = launchLatest(s, last, woke);
    }
  } catch (err) {
    s.end({ exitCode: EXIT.failed, reason: `runner error: ${String(err)}` });
    throw err;
  } finally {
    s.next = null;
    await s.ticks.settle();
    s.alive = false;
  }
  return { exitCode: EXIT.ok, reason: "stopped" };
}

/** What kept the loop from a slot it passed, when no catch-up tick did. */
const LATE_WAKE = "the runner was busy (it woke after a later slot was due)";

/**
 * Runs the latest slot due (at least `reached`, the slot the loop woke for) if it is after
 * `last`; every slot in between gets its row first (recordPassedSlots), so none goes without
 * one when the clock passed more than one slot per wake-up. Returns the slot handled last.
 */
function launchLatest(s: LoopState, last: Date, reached: Date): Date {
  const { schedule, app } = s.env;
  const latest = schedule.latest(app.deps.clock.now());
  const due = latest.getTime() > reached.getTime() ? latest : reached;
  if (due.getTime() <= last.getTime()) return last;
  recordPassedSlots(s.env, schedule, last, due, s.busy);
  void s.ticks.launch("schedule", due);
  return due;
}

/**
 * At start: at most one catch-up tick (the latest slot without delivered value, within
 * catch_up_hours), else the guard alone. Returns the slot the schedule continues after.
 */
async function startUp(s: LoopState): Promise<Date> {
  const { app, schedule } = s.env;
  const now = app.deps.clock.now();
  const db = app.db();
  const plan = planCatchUp({
    schedule,
    now,
    catchUpHours: app.loaded.spec.limits.catch_up_hours,
    lastSeenSlot: lastSeenSlot(db),
    delivered: (slot) => deliveredForSlot(db, slot.toISOString()) !== null,
  });
  if (!plan || flagPresent(app.host.killFlag)) {
    // With the flag up no catch-up runs: its slot is refused here, once (a restarted serve's
    // slot may already have its refused row).
    const slot = plan?.slot ?? schedule.latest(now);
    refuseIfGuarded(s, slot);
    return slot;
  }
  app.deps.print(
    `catch-up: slot ${plan.slot.toISOString()} has no delivered value (${plan.missedCount} slot(s) missed); running it once`,
  );
  // Awaited so the schedule starts after it, but a stop does not wait for it here:
  // the tick in flight gets its grace when the loop ends, like any other.
  s.busy = `the catch-up of ${plan.slot.toISOString()} ran`;
  await Promise.race([s.ticks.launch("catchup", plan.slot, plan), untilAborted(s.stop.signal)]);
  return plan.slot;
}

/**
 * The guard alone for `slot` (no tick): a refusal or halt is recorded and told to the hold. One
 * refused row per slot: with the flag up, a slot that already has its row (it ran, or was refused
 * by an earlier serve) gets no second one — serve is stopped all the same.
 */
function refuseIfGuarded(s: LoopState, slot: Date): void {
  const { app } = s.env;
  if (flagPresent(app.host.killFlag) && slotHasRow(app.db(), slot.toISOString())) {
    s.hold.flagSeen();
    return;
  }
  const refused = guardOnly({ trigger: "schedule", slot, force: false }, s.env);
  if (refused) s.hold.observe(refused);
}

/**
 * Sleeps until the slot after `last`. Idle, the kill flag is watched too: it is acted on when
 * it appears, not at the next slot (not once serve is stopped by it: a serve that stays up with
 * the flag waits for its slot's guard). Returns the slot reached, or why it woke early.
 */
async function sleepToNextSlot(s: LoopState, last: Date): Promise<Date | "stop" | "flag"> {
  const { app, schedule, ports } = s.env;
  const now = app.deps.clock.now();
  const next = schedule.next(now.getTime() > last.getTime() ? now : last);
  s.next = next;
  if (!next) {
    s.end({ exitCode: EXIT.ok, reason: "the cadence has no next slot" });
    return "stop";
  }
  app.deps.print(`next run ${next.toISOString()}`);
  const flagUp = new AbortController();
  const unwatch =
    s.hold.held === "stopped"
      ? () => {}
      : watchFlag(app.host.killFlag, () => flagUp.abort(), { present: flagPresent });
  void preloadPipelineNear(app.deps.clock, next);
  await ports.waitUntil(next, AbortSignal.any([s.stop.signal, flagUp.signal]));
  unwatch();
  if (s.stop.signal.aborted) return "stop";
  return flagUp.signal.aborted ? "flag" : next;
}
