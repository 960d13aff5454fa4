import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The repo root: children run `bun src/main.ts`, exactly what `bun run afk` runs. */
export const REPO_ROOT = join(import.meta.dir, "..", "..");

export interface Child {
  readonly pid: number;
  /** Resolves with the exit code (128 + n for a signal), once the process is gone. */
  readonly exited: Promise<number>;
  kill(signal: "SIGTERM" | "SIGKILL"): void;
}

/** Starts `afk <args>` as a real child process, stdout and stderr appended to `logPath`. */
export function spawnAfk(args: readonly string[], env: Record<string, string>, logPath: string): Child {
  const fd = openSync(logPath, "a");
  const proc = Bun.spawn(["bun", join(REPO_ROOT, "src", "main.ts"), ...args], {
    cwd: REPO_ROOT,
    env,
    stdin: "ignore",
    stdout: fd,
    stderr: fd,
  });
  closeSync(fd);
  return {
    pid: proc.pid,
    exited: proc.exited.then((code) =>
      proc.signalCode ? 128 + signalNumber(String(proc.signalCode)) : code,
    ),
    kill: (signal) => proc.kill(signal),
  };
}

function signalNumber(name: string): number {
  return name === "SIGKILL" ? 9 : name === "SIGTERM" ? 15 : name === "SIGINT" ? 2 : 0;
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

/** Resident memory (MB) and open file descriptors of a live process, from /proc. */
export function probe(pid: number): { rssMb: number; fds: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(status.match(/^VmRSS:\s+(\d+)\s+kB/m)?.[1] ?? Number.NaN);
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    return Number.isFinite(kb) ? { rssMb: kb / 1024, fds } : null;
  } catch {
    return null; // the process is gone (or not yet there): no sample, not an error
  }
}
