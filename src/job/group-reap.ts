import { here, startTimeOf } from "../core/identity.ts";
import { groupStats, HAS_PROC, isZombieState, type ProcStat, statOf } from "./group.ts";
import type { JobGroupRecord } from "./group-record.ts";
import { groupAlive, isGoneOrZombie } from "./process.ts";

/** What the next start found of a recorded job group, and what it did. */
export type ReapOutcome =
  /** Proven the job's and still running: ended (SIGTERM, SIGKILL after the grace when needed). */
  | { kind: "ended"; pgid: number; pids: number[]; forced: boolean }
  /** Nothing of it runs any more (or the host rebooted since): the record goes, no signal. */
  | { kind: "gone"; pgid: number }
  /** Its pid now belongs to another process (another start time): the record goes, no signal. */
  | { kind: "reused"; pgid: number; why: string }
  /** Recorded on another host or PID namespace sharing AFK_HOME: not ours to judge, the record stays. */
  | { kind: "elsewhere"; pgid: number; host: string }
  /** Something runs in the group but cannot be proven the job's here (no /proc): no signal, the record goes. */
  | { kind: "unproven"; pgid: number; why: string };

/** Who is to be signalled: the whole group (its leader proven the job's) or members proven one by one. */
type Target =
  | { kind: "group"; pgid: number }
  | { kind: "members"; pgid: number; pids: number[] }
  | Exclude<ReapOutcome, { kind: "ended" }>;

const running = (s: ProcStat) => !isZombieState(s);

/**
 * The group's members that are the job's: started no earlier than its leader (a start time is in
 * clock ticks since boot; every process the job forked started after it). Used when the leader is
 * gone, so the group cannot be reached through a proven leader.
 */
function provenMembers(r: JobGroupRecord): { ours: number[]; others: number[] } {
  const leaderStart = BigInt(r.start || "0");
  const ours: number[] = [];
  const others: number[] = [];
  for (const s of groupStats(r.pgid).filter(running)) {
    if (/^\d+$/.test(s.start) && BigInt(s.start) >= leaderStart) ours.push(s.pid);
    else others.push(s.pid);
  }
  return { ours, others };
}

/** Without /proc (macOS): the leader's `ps -o lstart` proves it; a group without its leader cannot be. */
function targetWithoutProc(r: JobGroupRecord): Target {
  const start = startTimeOf(r.pgid);
  if (start !== "" && r.start !== "" && start === r.start) return { kind: "group", pgid: r.pgid };
  if (start !== "")
    return { kind: "reused", pgid: r.pgid, why: `pid ${r.pgid} started at another time (${start})` };
  try {
    process.kill(-r.pgid, 0);
  } catch {
    return { kind: "gone", pgid: r.pgid };
  }
  return {
    kind: "unproven",
    pgid: r.pgid,
    why: `group ${r.pgid} still answers but its leader is gone, and without /proc its members cannot be proven the job's`,
  };
}

/** Decides, from the record and what runs now, who (if anyone) may be signalled. */
export function judgeGroup(r: JobGroupRecord): Target {
  const h = here();
  if (r.host !== h.host || r.ns !== h.ns) return { kind: "elsewhere", pgid: r.pgid, host: r.host };
  if (r.boot !== h.boot) return { kind: "gone", pgid: r.pgid };
  if (!HAS_PROC) return targetWithoutProc(r);
  const leader = statOf(r.pgid);
  if (leader && running(leader)) {
    if (r.start !== "" && leader.start === r.start) return { kind: "group", pgid: r.pgid };
    return {
      kind: "reused",
      pgid: r.pgid,
      why: `pid ${r.pgid} started at another time: another process now`,
    };
  }
  const { ours, others } = provenMembers(r);
  if (ours.length > 0) return { kind: "members", pgid: r.pgid, pids: ours };
  if (others.length > 0)
    return { kind: "reused", pgid: r.pgid, why: `group ${r.pgid} holds only processes older than the job` };
  return { kind: "gone", pgid: r.pgid };
}

function send(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/** Polls (no event tells a foreign process's exit) until `done` or `ms` pass; blocking, at start-up only. */
function waitSync(done: () => boolean, ms: number): boolean {
  const until = performance.now() + ms;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    if (done()) return true;
    if (performance.now() >= until) return false;
    Bun.sleepSync(wait);
  }
}

/** The pids a target reaches now, and how to signal and watch them. */
function reach(t: Extract<Target, { kind: "group" | "members" }>) {
  if (t.kind === "group")
    return {
      pids: groupStats(t.pgid)
        .filter(running)
        .map((s) => s.pid),
      signal: (sig: NodeJS.Signals) => send(-t.pgid, sig),
      gone: () => !groupAlive(t.pgid),
    };
  return {
    pids: t.pids,
    signal: (sig: NodeJS.Signals) => {
      for (const p of t.pids) send(p, sig);
    },
    gone: () => t.pids.every(isGoneOrZombie),
  };
}

/**
 * Ends a recorded job group left running by a dead afk, if it is still the job's: the whole
 * group when its leader is proven (pid and start time), else each member proven by its start
 * time; SIGTERM, then SIGKILL to what still runs after `graceMs`. Synchronous: it runs once, at
 * the start that recovers the tick, before any new work.
 */
export function reapJobGroup(r: JobGroupRecord, graceMs: number): ReapOutcome {
  const t = judgeGroup(r);
  if (t.kind !== "group" && t.kind !== "members") return t;
  const first = reach(t);
  first.signal("SIGTERM");
  if (waitSync(first.gone, graceMs)) return { kind: "ended", pgid: r.pgid, pids: first.pids, forced: false };
  // What the group forked meanwhile is proven again before the SIGKILL.
  const again = judgeGroup(r);
  // Nothing of it is left (or only what is not the job's): no SIGKILL to anyone.
  if (again.kind !== "group" && again.kind !== "members")
    return { kind: "ended", pgid: r.pgid, pids: first.pids, forced: false };
  const second = reach(again);
  second.signal("SIGKILL");
  waitSync(second.gone, 2000);
  const pids = [...new Set([...first.pids, ...second.pids])];
  return { kind: "ended", pgid: r.pgid, pids, forced: true };
}
