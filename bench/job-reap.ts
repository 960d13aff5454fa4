#!/usr/bin/env bun
/**
 * `bun bench/job-reap.ts`: how long the start that recovers a crashed tick takes to end the job
 * group a dead afk left running (runner/job-orphans.ts → job/group-reap.ts), for a group that
 * obeys SIGTERM and for one whose leader and grandchild ignore it (SIGKILL after the 1 s grace).
 * Real process groups, each recorded as a job's is; the issue's bound for ending a job is 5 s.
 */
import { identityOf } from "../src/core/identity.ts";
import { groupStats } from "../src/job/group.ts";
import { reapJobGroup } from "../src/job/group-reap.ts";
import { JOB_GRACE_MS } from "../src/job/process.ts";
import { type Figure, median, renderTable } from "./figure.ts";

const RUNS = 5;
const GROUPS = {
  obeys: "sleep 300 & sleep 300",
  ignores: "(trap '' TERM HUP; exec sleep 300) & trap '' TERM HUP; sleep 300",
} as const;

async function once(script: string): Promise<number> {
  const p = Bun.spawn(["sh", "-c", script], { detached: true, stdout: "ignore", stderr: "ignore" });
  // The shell and its two sleeps are up (three running processes in the group) before it is judged.
  const until = performance.now() + 5000;
  while (performance.now() < until && groupStats(p.pid).filter((s) => s.state !== "Z").length < 3)
    await Bun.sleep(5);
  const record = { tick: "bench", pgid: p.pid, argv: [], ...identityOf(p.pid) };
  const t0 = performance.now();
  const outcome = reapJobGroup(record, JOB_GRACE_MS);
  const ms = performance.now() - t0;
  await p.exited;
  if (outcome.kind !== "ended") throw new Error(`group ${p.pid}: ${outcome.kind}`);
  return ms;
}

export async function benchJobReap(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const [name, script] of Object.entries(GROUPS)) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await once(script));
    figures.push({
      key: `job_reap_${name}_sigterm_ms`,
      value: Math.round(median(times)),
      unit: "ms",
      goal: { op: "<=", target: 5000 },
      note: `median of ${RUNS}: a recorded group ${name === "obeys" ? "that exits on SIGTERM" : `that ignores SIGTERM (SIGKILL after the ${JOB_GRACE_MS} ms grace)`} ended at recovery`,
    });
  }
  return figures;
}

if (import.meta.main) for (const line of renderTable(await benchJobReap())) console.log(line);
