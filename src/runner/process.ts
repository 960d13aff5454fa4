import { Cron } from "croner";
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

/** The real process: signals, croner as the alarm clock, and a hard exit as the last resort. */
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
 * Resolves when `clock` shows `at`, or as soon as `signal` aborts. croner only wakes the loop (in
 * whole real seconds); a short timer covers the rest, re-reading the clock, so a scaled clock
 * (soak, demo) wakes at its own time too.
 */
function waitUntilClock(clock: Clock, at: Date, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted || realDelayMs(clock, at) <= 0) return resolve();
    let rest: ReturnType<typeof setTimeout> | undefined;
    const settle = () => {
      const ms = realDelayMs(clock, at);
      if (ms <= 0) finish();
      else rest = setTimeout(settle, ms);
    };
    const job = new Cron(new Date(Date.now() + realDelayMs(clock, at)), settle);
    function finish() {
      job.stop();
      clearTimeout(rest);
      signal.removeEventListener("abort", finish);
      resolve();
    }
    signal.addEventListener("abort", finish, { once: true });
    if (!job.nextRun()) settle();
  });
}
