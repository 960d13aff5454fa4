/**
 * The soak's job days: when the operator switches `SPEC.md` to the `job: command` spec and back
 * (a new spec file, then a restart), and what the job days did, read from the ledger, the
 * traces and /proc once the run is over.
 */
import type { Database } from "bun:sqlite";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { microsToUsd } from "../core/money.ts";
import { DELIVERED_SQL } from "../core/status.ts";
import { spendOnDay } from "../ledger/ticks.ts";
import { callKindsOfSpec } from "../models/calls.ts";

const DAY = 24 * 3_600_000;
/** The operator switches 40 minutes into the day at the earliest, once the day's first unit has landed. */
export const SWITCH_MINUTE = 40;

export interface SpecSwitch {
  at: Date;
  to: "job" | "digest";
  /** The day whose first delivery (by the process about to stop) the switch waits for. */
  after: Date;
}

/** When the spec changes: into the job spec on each job day, back to the digest the day after. */
export function switchPlan(day0: Date, days: number, jobDays: readonly number[]): SpecSwitch[] {
  const on = new Set(jobDays);
  const at = (d: number) => new Date(day0.getTime() + d * DAY + SWITCH_MINUTE * 60_000);
  const slot = (d: number) => new Date(day0.getTime() + d * DAY);
  const out: SpecSwitch[] = [];
  for (let d = 0; d < days; d++) {
    if (on.has(d) && !on.has(d - 1)) out.push({ at: at(d), to: "job", after: slot(d) });
    if (!on.has(d) && on.has(d - 1)) out.push({ at: at(d), to: "digest", after: slot(d) });
  }
  return out;
}

export interface JobDayReport {
  job_days: number;
  spec_switches: number;
  /** Ticks the job spec ran (rows under its spec hash), by status. */
  job_ticks: number;
  job_statuses: Record<string, number>;
  job_units_delivered: number;
  /** Requests the jobs sent afk's proxy, and the model calls those made (free and paid). */
  proxy_requests: number;
  job_calls: number;
  job_paid_calls: number;
  /** Requests the proxy refused because their worst case did not fit under the day's cap. */
  proxy_refusals_at_cap: number;
  /** Job ticks the pre-flight halted (the day had no room for one whole request). */
  job_ticks_halted_cap: number;
  job_max_day_spend_usd: number;
  /** Processes of the soak's job still running after the run (none may outlive its tick). */
  job_processes_left: number;
}

interface TraceLine {
  tick?: string;
  name?: string;
}

/** Every trace line of the run whose tick is one of `ticks`. */
function traceLines(home: string, ticks: ReadonlySet<string>): TraceLine[] {
  const runs = join(home, "runs");
  if (!existsSync(runs)) return [];
  const out: TraceLine[] = [];
  for (const d of readdirSync(runs)) {
    const path = join(runs, d, "trace.jsonl");
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, "utf8").split("\n")) {
      if (!line) continue;
      try {
        const r = JSON.parse(line) as TraceLine;
        if (r.tick && ticks.has(r.tick)) out.push(r);
      } catch {
        // A line cut by a SIGKILL mid-write: not a record.
      }
    }
  }
  return out;
}

/** Live processes running `script` with their working directory in `home` (the job's cwd). */
export function jobProcesses(home: string, script: string): number[] {
  const pids: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8");
      if (!cmd.includes(script) || readlinkSync(`/proc/${d}/cwd`) !== home) continue;
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      if (!/^\S+ \(.*\) [ZX] /.test(stat)) pids.push(Number(d));
    } catch {
      // Gone while we looked, or not ours to read.
    }
  }
  return pids;
}

/** What the job days did, from the ledger (rows under the job spec's hash) and their traces. */
export function jobDayReport(
  db: Database,
  o: { home: string; jobHash: string; jobDays: number; switches: number; script: string },
): JobDayReport {
  const rows = db
    .query<{ id: string; status: string; day: string }, [string]>(
      "SELECT id, status, day FROM ticks WHERE spec_hash = ?",
    )
    .all(o.jobHash);
  const statuses: Record<string, number> = {};
  for (const r of rows) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const delivered =
    db
      .query<{ n: number }, [string]>(
        `SELECT count(*) AS n FROM ticks WHERE spec_hash = ? AND status IN ${DELIVERED_SQL}`,
      )
      .get(o.jobHash)?.n ?? 0;
  const calls = callKindsOfSpec(db, o.jobHash);
  const lines = traceLines(o.home, new Set(rows.map((r) => r.id)));
  const days = [...new Set(rows.map((r) => r.day))];
  return {
    job_days: o.jobDays,
    spec_switches: o.switches,
    job_ticks: rows.length,
    job_statuses: statuses,
    job_units_delivered: delivered,
    proxy_requests: lines.filter((l) => l.name === "proxy.request").length,
    job_calls: calls.reduce((n, c) => n + c.n, 0),
    job_paid_calls: calls.find((c) => c.kind === "openai")?.n ?? 0,
    proxy_refusals_at_cap: lines.filter((l) => l.name === "budget.refused").length,
    job_ticks_halted_cap: statuses.halted_cap ?? 0,
    job_max_day_spend_usd: microsToUsd(Math.max(0, ...days.map((d) => spendOnDay(db, d)))),
    job_processes_left: jobProcesses(o.home, o.script).length,
  };
}
