import type { Database } from "bun:sqlite";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Deps } from "../core/deps.ts";
import { type ReapOutcome, reapJobGroup } from "../job/group-reap.ts";
import { clearJobGroup, type JobGroupRecord, readJobGroups } from "../job/group-record.ts";
import { JOB_GRACE_MS } from "../job/process.ts";
import { getTick, type TickRow } from "../ledger/ticks.ts";
import { fileSink, rootSpan } from "../trace/tracer.ts";

/** One recorded job group the start looked at: its tick's row (if any) and what was done. */
export interface OrphanJob {
  record: JobGroupRecord;
  row: TickRow | null;
  outcome: ReapOutcome;
}

export interface OrphanSweep {
  /** What the crashed rows' reasons add, by tick id. */
  notes: Map<string, string>;
  jobs: OrphanJob[];
  /** Records that did not parse: removed, no signal sent. */
  bad: string[];
  /** What could not be read or removed (the start goes on: a record left is judged again next time). */
  faults: string[];
}

/** Runs `fn`; a file-system fault becomes a line in `faults` instead of failing the start. */
function tryFs(faults: string[], what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    faults.push(`${what}: ${(err as Error).message}`);
  }
}

/** The words a row's reason, the warning and the trace event carry for an outcome. */
export function orphanNote(o: ReapOutcome): string {
  switch (o.kind) {
    case "ended":
      return `job group ${o.pgid} ended at recovery (pids ${o.pids.join(", ")}${o.forced ? "; SIGKILL after the grace" : ""})`;
    case "gone":
      return `job group ${o.pgid} was already gone at recovery`;
    case "reused":
      return `job group ${o.pgid} not signalled at recovery: ${o.why}`;
    case "elsewhere":
      return `job group ${o.pgid} runs on another host or PID namespace (${o.host}): left to it`;
    case "unproven":
      return `job group ${o.pgid} not signalled at recovery: ${o.why}`;
    default: {
      const never: never = o;
      return never;
    }
  }
}

/**
 * Ends the job groups a dead afk left running (SIGKILL, the OOM killer): every record under
 * AFK_HOME whose tick is not running in a live process any more — its row about to be closed
 * `crashed`, or already closed. A group still proven the job's (leader's pid and start time, or
 * members started after it) gets SIGTERM, then SIGKILL after the job's grace; a gone or reused
 * one only loses its record. Run at every start that recovers crashed rows, before it closes them,
 * so their reason can say what was done. `isGone` is the recovery's own test of a running row.
 */
export function reapOrphanJobs(
  db: Database,
  home: string,
  selfPid: number,
  isGone: (row: TickRow) => boolean,
  graceMs = JOB_GRACE_MS,
): OrphanSweep {
  const notes = new Map<string, string>();
  const jobs: OrphanJob[] = [];
  const faults: string[] = [];
  let found: ReturnType<typeof readJobGroups> = { records: [], bad: [] };
  tryFs(faults, "job group records could not be read", () => {
    found = readJobGroups(home);
  });
  for (const path of found.bad)
    tryFs(faults, `${path} could not be removed`, () => rmSync(path, { force: true }));
  for (const record of found.records) {
    const row = getTick(db, record.tick);
    if (row?.status === "running" && (row.pid === selfPid || !isGone(row))) continue;
    const outcome = reapJobGroup(record, graceMs);
    if (outcome.kind !== "elsewhere")
      tryFs(faults, `the record of tick ${record.tick} could not be removed`, () =>
        clearJobGroup(home, record.tick),
      );
    notes.set(record.tick, orphanNote(outcome));
    jobs.push({ record, row, outcome });
  }
  return { notes, jobs, bad: found.bad, faults };
}

/** Tells what the sweep did: a warning line each, and an event in the tick's own trace. */
export function reportOrphanJobs(
  sweep: OrphanSweep,
  home: string,
  deps: Pick<Deps, "clock" | "redact" | "warn">,
): void {
  for (const path of sweep.bad)
    deps.warn(`job group record ${path} did not parse: removed, nothing signalled`);
  for (const fault of sweep.faults) deps.warn(fault);
  for (const { record, row, outcome } of sweep.jobs) {
    const note = sweep.notes.get(record.tick) ?? orphanNote(outcome);
    deps.warn(`tick ${record.tick}: ${note}`);
    if (!row?.trace_path) continue;
    try {
      const span = rootSpan(
        record.tick,
        fileSink(join(home, row.trace_path), deps.redact),
        deps.clock,
        "recovery",
      );
      const pids = outcome.kind === "ended" ? outcome.pids.map(String) : [];
      span.event(`job.group_${outcome.kind}`, {
        pgid: record.pgid,
        pids,
        forced_kill: outcome.kind === "ended" && outcome.forced,
        note,
      });
      span.end("ok");
    } catch (err) {
      deps.warn(`tick ${record.tick}: its trace could not be written: ${(err as Error).message}`);
    }
  }
}
