import { realDelayMs } from "../core/clock.ts";
import { TickStop } from "../harness/abort.ts";
import type { AppContext } from "./app.ts";
import { flagPresent } from "./flag.ts";
import { watchFlag } from "./flag-watch.ts";
import type { RunnerPorts } from "./ports.ts";

export interface TickAborts {
  /** Aborts with a TickStop: `killed` (runner stop, kill flag) or `timeout` (max tick time). */
  readonly signal: AbortSignal;
  /** Stops listening: the timer, the flag watch and the runner's stop. */
  dispose(): void;
}

/**
 * The three things that end a tick in flight, on one signal: the runner's stop (`killed`),
 * `limits.max_tick_seconds` past `now` on the injected clock (`timeout`), and the kill flag
 * appearing — acted on the moment it appears (fetches, model calls), not at the next step.
 */
export function tickAborts(
  app: AppContext,
  ports: Pick<RunnerPorts, "after">,
  stop: AbortSignal | undefined,
  now: Date,
): TickAborts {
  const controller = new AbortController();
  const onStop = () =>
    controller.abort(new TickStop("killed", `stopped: ${String(stop?.reason ?? "runner stop")}`));
  if (stop?.aborted) onStop();
  stop?.addEventListener("abort", onStop, { once: true });
  const limit = app.loaded.spec.limits.max_tick_seconds;
  const deadline = new Date(now.getTime() + limit * 1000);
  const cancelTimer = ports.after(realDelayMs(app.deps.clock, deadline), () =>
    controller.abort(new TickStop("timeout", `tick ran past limits.max_tick_seconds (${limit}s)`)),
  );
  const unwatch = watchFlag(
    app.host.killFlag,
    () =>
      controller.abort(
        new TickStop("killed", `kill flag ${app.host.killFlag} appeared; the work in flight was aborted`),
      ),
    { present: flagPresent },
  );
  return {
    signal: controller.signal,
    dispose() {
      unwatch();
      cancelTimer();
      stop?.removeEventListener("abort", onStop);
    },
  };
}
