import { type Clock, realDelayMs } from "../core/clock.ts";
import { pidAlive } from "../core/pid.ts";
import type { RunnerPorts } from "./ports.ts";

export interface ProcessOptions {
  /**
   * Stop when the parent process dies. On for `bun run afk …` (npm_lifecycle_event set): when
   * the script runner is SIGKILLed, its child would otherwise live on as an orphan.
   */
  watchParent: boolean;
  /** The injected clock: waits end when it shows the time asked for. */
  clock: Clock;
}

/** Whether the parent should be watched, from the environment read once in main. */
export function shouldWatchParent(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(env.npm_lifecycle_event) || env.AFK_EXIT_WITH_PARENT === "1";
}

export { pidAlive };

/** The real process: signals, a clock-checking timer as the alarm, and a hard exit as the last resort. */
export function realPorts(opts: ProcessOptions): RunnerPorts {
  return {
    isAlive: pidAlive,
    signal(pid, sig) {
      try {
        process.kill(pid, sig);
        return true;
      } catch {
        return false;
      }
    },
    onStop: (fn) => onStopSignals(fn, opts.watchParent),
    waitUntil: (at, signal) => waitUntilClock(opts.clock, at, signal),
    after(ms, fn) {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
    exitWithin(code, ms) {
      process.exitCode = code;
      setTimeout(() => process.exit(code), ms).unref();
    },
  };
}

/** SIGTERM and SIGINT (and, when watched, the parent's death) call `fn` with why; returns the disposer. */
function onStopSignals(fn: (why: string) => void, watchParent: boolean): () => void {
  const onTerm = () => fn("SIGTERM");
  const onInt = () => fn("SIGINT");
  process.on("SIGTERM", onTerm);
  process.on("SIGINT", onInt);
  const parent = process.ppid;
  const watch = watchParent
    ? setInterval(() => {
        if (process.ppid !== parent) fn(`parent process ${parent} died`);
      }, 250)
    : undefined;
  watch?.unref();
  return () => {
    process.off("SIGTERM", onTerm);
    process.off("SIGINT", onInt);
    clearInterval(watch);
  };
}

/**
 * The longest single timer of a wait: the clock is read again at least this often, so a host that
 * was suspended (timers do not count the time it slept) or a wall clock that was stepped still wakes
 * on time within this much — what croner's own timer loop does, without croner's one-shot date job,
 * which reads local time and so loads ICU's zone data (~5 MB of an idle serve's memory).
 */
const MAX_TIMER_MS = 30_000;

/**
 * Resolves once the injected clock shows `at` (or `signal` aborts). Re-reads the (possibly scaled)
 * clock at every wake, so the soak's and the demo's clocks wake at their own time too.
 */
function waitUntilClock(clock: Clock, at: Date, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted || realDelayMs(clock, at) <= 0) return resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = () => {
      const ms = realDelayMs(clock, at);
      if (ms <= 0) finish();
      else timer = setTimeout(settle, Math.min(ms, MAX_TIMER_MS));
    };
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener("abort", finish);
      resolve();
    }
    signal.addEventListener("abort", finish, { once: true });
    settle();
  });
}
