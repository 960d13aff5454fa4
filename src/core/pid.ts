import { readFileSync } from "node:fs";

/**
 * Whether a process runs. A zombie (exited, not yet reaped: common for orphans in a container
 * whose init reaps slowly) answers signal 0 but is dead, so /proc is asked where there is one.
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc here: signal 0 is all there is
  }
}
