import { groupStats, HAS_PROC, isZombieState, statOf } from "./group.ts";
import { release, spawnHeld } from "./leader.ts";

/** How the job's process ended. */
export type JobExit =
  | { kind: "exited"; code: number; signal: string | null }
  /** Its stdout passed the spec's bound: the group was killed. */
  | { kind: "flooded"; bytes: number }
  /** Stopped from outside (the tick's signal, the job's own timeout): the group was killed. */
  | { kind: "stopped"; reason: unknown };

export interface JobRun {
  exit: JobExit;
  stdout: string;
  /** The last lines of stderr (at most `STDERR_TAIL_BYTES`). */
  stderrTail: string;
  pid: number;
  /** Whether some process of the group had to be SIGKILLed after the grace. */
  forced: boolean;
}

export interface JobProcessOptions {
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
  maxOutputBytes: number;
  /** Aborting it ends the whole process group: SIGTERM, then SIGKILL after `graceMs`. */
  signal: AbortSignal;
  graceMs: number;
  /**
   * Told the pid once the group's leader runs and before the command may begin: the command starts
   * only after this has returned (afk records the group here). If it throws, the command never
   * starts: the leader exits, and runJobProcess throws that error once nothing of the group runs.
   */
  onStart?: (pid: number) => void | Promise<void>;
}

const STDERR_TAIL_BYTES = 4000;

/**
 * After a stop, the job's group gets this long to exit on SIGTERM before SIGKILL (well inside the
 * runner's grace); the next start that finds a group a dead afk left gives it the same.
 */
export const JOB_GRACE_MS = 1000;

/**
 * Whether any process of group `pgid` is still alive. A zombie (exited, not yet reaped by
 * whoever adopted it) runs nothing, so it does not count. Without /proc (macOS) signal 0 to the
 * group is all there is.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  return !HAS_PROC || groupStats(pgid).some((s) => !isZombieState(s));
}

/** Whether `pid` is gone or a zombie: it runs nothing any more. */
export function isGoneOrZombie(pid: number): boolean {
  const s = statOf(pid);
  if (s) return isZombieState(s);
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // The group is gone already.
  }
}

/** Resolves when nothing of the group runs any more, or after `ms` (false). */
async function groupGone(pgid: number, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  // Group membership has no event to await: poll /proc briefly.
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    if (!groupAlive(pgid)) return true;
    if (performance.now() >= until) return false;
    await Bun.sleep(wait);
  }
}

/**
 * Ends every process of group `pgid`: SIGTERM, then SIGKILL to whatever still runs after
 * `graceMs`. Returns whether SIGKILL was needed.
 */
export async function endGroup(pgid: number, graceMs: number): Promise<boolean> {
  if (!groupAlive(pgid)) return false;
  signalGroup(pgid, "SIGTERM");
  if (await groupGone(pgid, graceMs)) return false;
  signalGroup(pgid, "SIGKILL");
  await groupGone(pgid, 2000);
  return true;
}

/**
 * Runs the job's command as the leader of its own process group (so a stop reaches its
 * children too), collecting stdout up to the bound and the tail of stderr. The command begins
 * only once `onStart` has returned (leader.ts): an afk that dies before that leaves nothing
 * running. Whatever happens, nothing of the group runs when this resolves.
 */
export async function runJobProcess(o: JobProcessOptions): Promise<JobRun> {
  const { proc, gate } = spawnHeld(o.argv, o.cwd, o.env);
  const pgid = proc.pid;
  let exit: JobExit | null = null;
  let ending: Promise<boolean> | null = null;
  const stop = (e: JobExit) => {
    exit ??= e;
    ending ??= endGroup(pgid, o.graceMs);
  };
  const onAbort = () => stop({ kind: "stopped", reason: o.signal.reason });
  if (o.signal.aborted) onAbort();
  else o.signal.addEventListener("abort", onAbort, { once: true });

  const out: Uint8Array[] = [];
  let outBytes = 0;
  const readOut = (async () => {
    for await (const chunk of chunks(proc.stdout)) {
      if (exit) continue;
      outBytes += chunk.byteLength;
      if (outBytes > o.maxOutputBytes) {
        stop({ kind: "flooded", bytes: outBytes });
        continue;
      }
      out.push(chunk);
    }
  })();
  let errTail = "";
  const readErr = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of chunks(proc.stderr)) {
      errTail = (errTail + dec.decode(chunk, { stream: true })).slice(-STDERR_TAIL_BYTES);
    }
  })();

  let refused: { err: unknown } | null = null;
  try {
    await o.onStart?.(pgid);
  } catch (err) {
    refused = { err };
  }
  release(gate, refused === null && exit === null);

  const code = await proc.exited;
  o.signal.removeEventListener("abort", onAbort);
  // The leader is gone; a child it left behind (or one that ignores SIGTERM) is not let live on,
  // and with it go the pipes it may still hold open.
  const forced = (await ending) || (await endGroup(pgid, o.graceMs));
  await Promise.all([readOut, readErr]);
  if (refused) throw refused.err;
  return {
    exit: exit ?? { kind: "exited", code, signal: proc.signalCode === null ? null : String(proc.signalCode) },
    stdout: Buffer.concat(out).toString("utf8"),
    stderrTail: errTail,
    pid: pgid,
    forced,
  };
}

async function* chunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}
