import { ERROR_CODES } from "../core/errors.ts";
import { classifyFault } from "../core/fault.ts";
import { newTickId } from "../harness/ids.ts";
import { closeTickRow, type TickSummary } from "../harness/tick-row.ts";
import type { CatchUpPlan } from "./catchup.ts";
import { guardedTick, type TickEnv } from "./guarded.ts";
import type { RunnerPorts } from "./ports.ts";

/** How a runner ended: the exit code `serve` returns and why. */
export interface LoopOutcome {
  exitCode: number;
  reason: string;
}

export interface InflightEnv extends TickEnv {
  ports: RunnerPorts;
  /** After a stop, how long a tick in flight gets to close its own row before the runner closes it. */
  graceMs?: number;
  /** Told after each tick's row (and its afterTick) is done: serve's delivery worker wakes on it. */
  onTickDone?: (s: TickSummary) => void;
}

/** After a stop, the tick in flight (and its afterTick) gets this long; with serve's exit grace it stays under 5 s. */
const GRACE_MS = 2500;

export interface Inflight {
  /** Starts a guarded tick without waiting for it; its line is printed and `onSummary` told when it ends. */
  launch(trigger: "schedule" | "catchup", slot: Date, catchup?: CatchUpPlan): Promise<TickSummary>;
  /**
   * Waits (up to the grace) for every tick started; a tick that ignores its abort has its row
   * closed `killed` here, so the runner can still exit in time.
   */
  settle(): Promise<void>;
}

/**
 * The runner's ticks in flight. A tick's own error is the harness's (it closes its row); an
 * error out of one here is the runner's (ledger I/O): it ends the runner through `end`, loudly,
 * with the fault's exit code (5 for a disk or ledger fault, named with its fix).
 */
export function trackInflight(
  env: InflightEnv,
  stop: AbortSignal,
  onSummary: (s: TickSummary) => void,
  end: (o: LoopOutcome) => void,
): Inflight {
  const { app } = env;
  const ticks = new Map<string, Promise<TickSummary>>();

  const launch: Inflight["launch"] = (trigger, slot, catchup) => {
    const tickId = newTickId(app.deps.clock.now());
    const p = guardedTick(
      { trigger, slot, force: false, stop, tickId, catchup, onGuardStop: onSummary },
      env,
    ).then(
      (s) => {
        const why = s.reason ? ` — ${s.reason}` : "";
        app.deps.print(`tick ${s.tickId} [${trigger} ${slot.toISOString()}]: ${s.status}${why}`);
        onSummary(s);
        env.onTickDone?.(s);
        return s;
      },
      (err: unknown) => {
        const fault = classifyFault(err);
        const what = `${fault.what}${fault.fix ? ` — fix: ${fault.fix}` : ""}`;
        app.deps.warn(`tick ${tickId}: runner error: ${what}`);
        end({ exitCode: ERROR_CODES[fault.code], reason: `runner error in tick ${tickId}: ${what}` });
        throw err;
      },
    );
    ticks.set(tickId, p);
    // Observed here so a scheduled tick's failure (already reported above) is never unhandled.
    p.finally(() => ticks.delete(tickId)).catch(() => {});
    return p;
  };

  const settle = async () => {
    if (ticks.size === 0) return;
    const grace = env.graceMs ?? GRACE_MS;
    let cancel = () => {};
    const timedOut = new Promise<"late">((resolve) => {
      cancel = env.ports.after(grace, () => resolve("late"));
    });
    const r = await Promise.race([Promise.allSettled([...ticks.values()]), timedOut]);
    cancel();
    if (r !== "late") return;
    for (const id of ticks.keys()) {
      const closed = closeTickRow(app.db(), id, {
        status: "killed",
        endedAt: app.deps.clock.now().toISOString(),
        reason: `stopped (${String(stop.reason)}); the tick did not end within ${grace} ms`,
      });
      if (closed) app.deps.warn(`tick ${id} did not stop within ${grace} ms; closed as killed`);
    }
  };

  return { launch, settle };
}
