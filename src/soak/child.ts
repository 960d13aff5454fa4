import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import { type AfkChild, startAfk } from "../evidence/afk-child.ts";

export { REPO_ROOT } from "../evidence/afk-child.ts";

export type Child = Pick<AfkChild, "pid" | "exited" | "kill">;

/** Starts `afk <args>` as a real child process, stdout and stderr appended to `logPath`. */
export function spawnAfk(args: readonly string[], env: Record<string, string>, logPath: string): Child {
  const fd = openSync(logPath, "a");
  try {
    return startAfk(args, { env, stdout: fd, stderr: fd });
  } finally {
    closeSync(fd);
  }
}

/** Runs a one-shot `afk` command to completion; throws with its log when it fails. */
export async function runAfk(
  args: readonly string[],
  env: Record<string, string>,
  logPath: string,
): Promise<void> {
  const code = await spawnAfk(args, env, logPath).exited;
  if (code !== 0) throw new Error(`afk ${args.join(" ")} exited ${code} (see ${logPath})`);
}

/**
 * Resident memory (MB), open file descriptors and live child processes (a job's command, whose
 * pipes and proxy sockets serve holds while it runs) of a live process, from /proc.
 */
export function probe(pid: number): { rssMb: number; fds: number; children: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(status.match(/^VmRSS:\s+(\d+)\s+kB/m)?.[1] ?? Number.NaN);
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    return Number.isFinite(kb) ? { rssMb: kb / 1024, fds, children: childrenOf(pid) } : null;
  } catch {
    return null; // the process is gone (or not yet there): no sample, not an error
  }
}

function childrenOf(pid: number): number {
  let n = 0;
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      // pid (comm) state ppid …; comm may hold spaces and parentheses.
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) n++;
    } catch {
      // Gone while we looked.
    }
  }
  return n;
}
