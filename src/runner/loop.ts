import { ERROR_CODES } from "../core/errors.ts";
import { EXIT } from "../core/exit.ts";
import { classifyFault } from "../core/fault.ts";
import { untilAborted } from "../core/wait.ts";
import { newTickId } from "../harness/ids.ts";
import { closeTickRow, type TickSummary } from "../harness/tick-row.ts";
import { deliveredForSlot } from "../ledger/ticks.ts";
import type { Schedule } from "../spec/slots.ts";
import { type CatchUpPlan, lastSeenSlot, planCatchUp } from "./catchup.ts";
import { flagPresent } from "./flag.ts";
import { watchFlag } from "./flag-watch.ts";
import { guardedTick, guardOnly, type TickEnv } from "./guarded.ts";
import type { RunnerHandle } from "./handle.ts";
import { capResumesAt } from "./hold.ts";
import type { RunnerPorts } from "./ports.ts";

export interface LoopEnv extends TickEnv {
  ports: RunnerPorts;
  schedule: Schedule;
  /** After a stop, how long a tick in flight gets to close its own row before the runner closes it. */
  graceMs?: number;
  /** Told after each tick's row (and its afterTick) is done: serve's delivery worker wakes on it. */
  onTickDone?: (s: TickSummary) => void;
}

/** How a runner ended: the exit code `serve` returns and why. */
export interface LoopOutcome {
  exitCode: number;
  reason: string;
}

export interface Runner extends RunnerHandle {
  /** Resolves once the loop has stopped and every tick it started has a closed row. */
  readonly done: Promise<LoopOutcome>;
}

/** After a stop, the tick in flight (and its afterTick) gets this long; with serve's exit grace it stays under 5 s. */
const GRACE_MS = 2500;

/**
 * The scheduler loop of `afk serve`. At start: the guard, then at most one catch-up tick.
 * Then: sleep until the next slot (ports.waitUntil), start its tick without waiting for it
 * (a slot that comes due while one runs finds the lock held: `skipped_overlap`), repeat.
 * Stops only on requestStop (signals, POST /kill); a refused or halted tick holds the ticks,
 * not the process. What is due is decided from the injected clock; the ports only wake the loop.
 */
export function startRunner(env: LoopEnv): Runner {
  const { app, schedule, ports } = env;
  const clock = app.deps.clock;
  const stop = new AbortController();
  const inflight = new Map<string, Promise<TickSummary>>();
  const startedAt = clock.now();
  let alive = true;
  let next: Date | null = null;
  let outcome: LoopOutcome | null = null;

  const end = (o: LoopOutcome) => {
    outcome ??= o;
    if (!stop.signal.aborted) stop.abort(o.reason);
  };

  // A refused or halted tick does not end serve: it stays up (page, /healthz, POST /kill alive),
  // each slot recorded as refused, until the flag is removed (`afk arm`) or the cap's day rolls
  // over. A supervisor then never has to start a new day (ops/README.md, the supervisor contract).
  let held: "halted" | "stopped" | null = null;

  const onSummary = (s: TickSummary) => {
    const stopped = s.status === "refused_kill" || (s.status === "killed" && flagPresent(app.host.killFlag));
    const now: "halted" | "stopped" | null = stopped
      ? "stopped"
      : s.status === "halted_cap"
        ? "halted"
        : null;
    if (now === held) return;
    held = now;
    if (now === "stopped")
      app.deps.print(`stopped: kill flag ${app.host.killFlag} present; serve stays up, afk arm resumes`);
    else if (now === "halted") {
      const at = capResumesAt(schedule, clock.now(), app.loaded.spec.timezone);
      app.deps.print(
        `halted: spend cap reached; resumes by itself at ${at?.toISOString() ?? "(no next slot)"}`,
      );
    } else app.deps.print("resumed: ticks run again");
  };

  const launch = (trigger: "schedule" | "catchup", slot: Date, catchup?: CatchUpPlan) => {
    const tickId = newTickId(clock.now());
    const p = guardedTick(
      { trigger, slot, force: false, stop: stop.signal, tickId, catchup, onGuardStop: onSummary },
      env,
    ).then(
      (s) => {
        app.deps.print(
          `tick ${s.tickId} [${trigger} ${slot.toISOString()}]: ${s.status}${s.reason ? ` — ${s.reason}` : ""}`,
        );
        onSummary(s);
        env.onTickDone?.(s);
        return s;
      },
      (err: unknown) => {
        // The harness closes its own row; an error here is the runner's (ledger I/O): stop, loudly.
        // A disk or ledger fault is named with its fix and ends serve with its own code (5).
        const fault = classifyFault(err);
        const what = `${fault.what}${fault.fix ? ` — fix: ${fault.fix}` : ""}`;
        app.deps.warn(`tick ${tickId}: runner error: ${what}`);
        end({ exitCode: ERROR_CODES[fault.code], reason: `runner error in tick ${tickId}: ${what}` });
        throw err;
      },
    );
    inflight.set(tickId, p);
    // Observed here so a scheduled tick's failure (already reported above) is never unhandled.
    p.finally(() => inflight.delete(tickId)).catch(() => {});
    return p;
  };

  const settleInflight = async () => {
    if (inflight.size === 0) return;
    const grace = env.graceMs ?? GRACE_MS;
    let cancel = () => {};
    const timedOut = new Promise<"late">((resolve) => {
      cancel = ports.after(grace, () => resolve("late"));
    });
    const all = Promise.allSettled([...inflight.values()]);
    const r = await Promise.race([all, timedOut]);
    cancel();
    if (r !== "late") return;
    // A tick that ignores its abort: close its row here, so the runner can still exit in time.
    for (const id of inflight.keys()) {
      const closed = closeTickRow(app.db(), id, {
        status: "killed",
        endedAt: clock.now().toISOString(),
        reason: `stopped (${String(stop.signal.reason)}); the tick did not end within ${grace} ms`,
      });
      if (closed) app.deps.warn(`tick ${id} did not stop within ${grace} ms; closed as killed`);
    }
  };

  const loop = async (): Promise<LoopOutcome> => {
    try {
      const now = clock.now();
      const db = app.db();
      const plan = planCatchUp({
        schedule,
        now,
        catchUpHours: app.loaded.spec.limits.catch_up_hours,
        lastSeenSlot: lastSeenSlot(db),
        delivered: (slot) => deliveredForSlot(db, slot.toISOString()) !== null,
      });
      if (plan) {
        app.deps.print(
          `catch-up: slot ${plan.slot.toISOString()} has no delivered value (${plan.missedCount} slot(s) missed); running it once`,
        );
        // Awaited so the schedule starts after it, but a stop does not wait for it here:
        // the tick in flight gets its grace below, like any other.
        await Promise.race([launch("catchup", plan.slot, plan), untilAborted(stop.signal)]);
      } else {
        const refused = guardOnly({ trigger: "schedule", slot: schedule.latest(now), force: false }, env);
        if (refused) onSummary(refused);
      }
      let last = plan?.slot ?? schedule.latest(now);
      while (!stop.signal.aborted) {
        // A slot that came due while the loop was busy (the catch-up tick above) runs now, not never.
        const due = schedule.latest(clock.now());
        if (due.getTime() > last.getTime()) {
          last = due;
          launch("schedule", due);
        }
        const from = clock.now().getTime() > last.getTime() ? clock.now() : last;
        next = schedule.next(from);
        if (!next) {
          end({ exitCode: EXIT.ok, reason: "the cadence has no next slot" });
          break;
        }
        app.deps.print(`next run ${next.toISOString()}`);
        // Idle, the kill flag is watched too: it is acted on when it appears, not at the next slot.
        // (Not once serve is stopped by it: a serve that stays up with the flag waits for its slot's guard.)
        const flagUp = new AbortController();
        const unwatch =
          held === "stopped"
            ? () => {}
            : watchFlag(app.host.killFlag, () => flagUp.abort(), { present: flagPresent });
        await ports.waitUntil(next, AbortSignal.any([stop.signal, flagUp.signal]));
        unwatch();
        if (stop.signal.aborted) break;
        if (flagUp.signal.aborted) {
          // Recorded against the slot in progress; the next slot gets its own guard when it comes.
          const refused = guardOnly(
            { trigger: "schedule", slot: schedule.latest(clock.now()), force: false },
            env,
          );
          if (refused) onSummary(refused);
          continue;
        }
        last = next;
        launch("schedule", next);
      }
    } catch (err) {
      end({ exitCode: EXIT.failed, reason: `runner error: ${String(err)}` });
      throw err;
    } finally {
      next = null;
      await settleInflight();
      alive = false;
    }
    return outcome ?? { exitCode: EXIT.ok, reason: "stopped" };
  };

  const done = loop();

  return {
    done,
    alive: () => alive,
    nextRun: () => next,
    lastDueSlotHandled() {
      const now = clock.now();
      const due = schedule.latest(now);
      // Not yet due for this process (before it started, outside catch-up), or just woken: fine.
      if (due.getTime() < startedAt.getTime() - app.loaded.spec.limits.catch_up_hours * 3_600_000)
        return { ok: true };
      if (now.getTime() - due.getTime() < 60_000) return { ok: true };
      const row = app
        .db()
        .query<{ n: number }, [string]>("SELECT count(*) AS n FROM ticks WHERE slot = ?")
        .get(due.toISOString());
      return row && row.n > 0
        ? { ok: true }
        : { ok: false, reason: `slot ${due.toISOString()} was due and has no ledger row` };
    },
    requestStop(reason: string) {
      end({ exitCode: EXIT.ok, reason });
    },
  };
}
