import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { identityOf, type ProcessIdentity } from "../core/identity.ts";
import { isAtomicTemp, writeFileAtomic } from "../core/write-atomic.ts";

/**
 * A running job's process group, written down the moment it starts so that, if afk dies without
 * ending it (SIGKILL, the OOM killer), the next start can: the group's id and the identity of its
 * leader (host, boot, PID namespace, pid, start time), so a reused pid is never taken for it.
 */
export interface JobGroupRecord extends ProcessIdentity {
  tick: string;
  pgid: number;
  argv: string[];
}

/** One file per running job, under AFK_HOME (replaced whole, removed when the group has ended). */
export function jobGroupDir(home: string): string {
  return join(home, "runs", "job-groups");
}

function recordPath(home: string, tickId: string): string {
  return join(jobGroupDir(home), `${tickId}.json`);
}

/** Records the group led by `pgid` (just started) for tick `tickId`; atomic, flushed before the rename. */
export function recordJobGroup(home: string, tickId: string, pgid: number, argv: readonly string[]): void {
  const record: JobGroupRecord = { tick: tickId, pgid, argv: [...argv], ...identityOf(pgid) };
  writeFileAtomic(recordPath(home, tickId), `${JSON.stringify(record)}\n`);
}

/** Removes the record of tick `tickId`'s group (it has ended, or was proven gone). */
export function clearJobGroup(home: string, tickId: string): void {
  rmSync(recordPath(home, tickId), { force: true });
}

function parse(text: string): JobGroupRecord | null {
  try {
    const r = JSON.parse(text) as Partial<JobGroupRecord>;
    const ok =
      typeof r.tick === "string" &&
      Number.isInteger(r.pgid) &&
      (r.pgid ?? 0) > 1 &&
      r.pid === r.pgid &&
      typeof r.start === "string" &&
      typeof r.host === "string" &&
      typeof r.boot === "string" &&
      typeof r.ns === "string";
    return ok ? ({ argv: [], ...r } as JobGroupRecord) : null;
  } catch {
    return null;
  }
}

/**
 * Every record under AFK_HOME. A file that does not parse (it cannot be cut: the write is atomic)
 * is returned as `bad`, to be reported and removed without a signal; writeFileAtomic's temp files
 * are left to it.
 */
export function readJobGroups(home: string): { records: JobGroupRecord[]; bad: string[] } {
  const dir = jobGroupDir(home);
  if (!existsSync(dir)) return { records: [], bad: [] };
  const records: JobGroupRecord[] = [];
  const bad: string[] = [];
  for (const name of readdirSync(dir)) {
    if (isAtomicTemp(name) || !name.endsWith(".json")) continue;
    let text = "";
    try {
      text = readFileSync(join(dir, name), "utf8");
    } catch {
      // removed since the listing: its group ended
      continue;
    }
    const r = parse(text);
    if (r && `${r.tick}.json` === name) records.push(r);
    else bad.push(join(dir, name));
  }
  return { records, bad };
}
