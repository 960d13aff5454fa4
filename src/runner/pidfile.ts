import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** `afk serve` writes its pid here so `afk kill` can signal it. */
export function pidfilePath(home: string): string {
  return join(home, "afk.pid");
}

export function readPidfile(home: string): number | null {
  const path = pidfilePath(home);
  if (!existsSync(path)) return null;
  const pid = Number(readFileSync(path, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

export function writePidfile(home: string, pid: number): void {
  writeFileSync(pidfilePath(home), `${pid}\n`);
}

/** Removes the pidfile only if it still names `pid` (a newer serve may have replaced it). */
export function removePidfile(home: string, pid: number): void {
  if (readPidfile(home) === pid) rmSync(pidfilePath(home), { force: true });
}

/**
 * Whether a live pid from the pidfile is an afk serve, not a program that reused the pid
 * after a reboot or crash. Reads /proc where there is one; elsewhere assumes it is.
 */
export function looksLikeServe(pid: number): boolean {
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync("/proc/self/cmdline")) return true;
  try {
    return readFileSync(cmdline, "utf8").split("\0").includes("serve");
  } catch {
    return false;
  }
}
