import { readdirSync, readFileSync } from "node:fs";

/** One process as /proc/PID/stat tells it (Linux). */
export interface ProcStat {
  pid: number;
  /** R, S, D, Z (zombie), X (dead), … */
  state: string;
  pgrp: number;
  /** Start time in clock ticks since boot (field 22), the same figure core/identity.ts records. */
  start: string;
}

/** Whether the processes can be listed from /proc here (Linux); elsewhere only the leader is known. */
export const HAS_PROC = statOf(process.pid) !== null;

/** /proc/PID/stat of `pid`, null when it is gone or there is no /proc. */
export function statOf(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses. Field 3 is rest[0].
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { pid, state: rest[0] ?? "?", pgrp: Number(rest[2]), start: rest[19] ?? "" };
  } catch {
    return null;
  }
}

/** Exited and not yet reaped, or dead: it runs nothing. */
export function isZombieState(s: ProcStat): boolean {
  return s.state === "Z" || s.state === "X";
}

/** The processes in group `pgid`, zombies included; [] when there is no /proc. */
export function groupStats(pgid: number): ProcStat[] {
  let pids: number[];
  try {
    pids = readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return [];
  }
  return pids.flatMap((pid) => {
    const s = statOf(pid);
    return s !== null && s.pgrp === pgid ? [s] : [];
  });
}
