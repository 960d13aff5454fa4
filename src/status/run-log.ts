import type { Database } from "bun:sqlite";
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { dayIn, zonedParts } from "../core/clock.ts";
import { formatUsd } from "../core/money.ts";
import type { TickRow } from "../ledger/ticks.ts";
import type { Spec } from "../spec/schema.ts";
import { type ClockState, insertClock, markLogged, readClock } from "./clock-state.ts";
import { addDays, daysBetween } from "./days.ts";
import { dayTotals } from "./queries.ts";
import { type AttendanceInput, attendance, isUnattended } from "./unattended.ts";

export const RUN_LOG = "runs/run-log.md";

/** Days written per catch-up at most: a clock left for years does not stall a tick. */
const MAX_DAYS_PER_CATCH_UP = 400;

function append(home: string, lines: readonly string[]): void {
  const path = join(home, RUN_LOG);
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${lines.join("\n")}\n`);
}

function hhmm(at: Date, tz: string): string {
  return zonedParts(at, tz).hhmm.replace(/(..)(..)/, "$1:$2");
}

export interface ClockStart {
  clock: ClockState;
  created: boolean;
}

/** `afk clock start`: records Day 0 and writes its line; a running clock is kept, not restarted. */
export function startClock(db: Database, home: string, spec: Spec, now: Date): ClockStart {
  const day = dayIn(now, spec.timezone);
  const created = insertClock(db, now.toISOString(), day);
  const clock = readClock(db) as ClockState;
  if (created) {
    append(home, [`Day 0: ${day} — clock started at ${hhmm(now, spec.timezone)} ${spec.timezone}`]);
  }
  return { clock, created };
}

function problemLine(t: Pick<TickRow, "id" | "status" | "reason" | "trace_path">): string {
  return `  - ${t.status} ${t.id}: ${t.reason ?? "(no reason recorded)"} — trace ${t.trace_path ?? "(none)"}`;
}

/** The Day N line of one completed day, with its degraded/failed ticks and interventions below it. */
export function dayLines(input: AttendanceInput, day: string): string[] {
  const n = daysBetween(input.clock.start_day, day);
  const [totals] = dayTotals(input.db, [day]);
  const a = attendance(input, day);
  const statuses = Object.entries(totals?.byStatus ?? {})
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([s, c]) => `${s} ${c}`)
    .join(", ");
  const ticks = totals?.ticks ?? 0;
  const head =
    ticks === 0
      ? `Day ${n}: ${day} — no ticks${a.slotDue ? " although a slot was due (runner down?)" : ""}`
      : `Day ${n}: ${day} — ${ticks} tick${ticks === 1 ? "" : "s"} (${statuses}), value ${formatUsd(totals?.valueMicros ?? 0)}, spend ${formatUsd(totals?.spendMicros ?? 0)}`;
  const verdict = isUnattended(a) ? "unattended" : a.manualTicks.length ? "intervention" : "attention needed";
  const lines = [`${head}; ${verdict}`];
  const problems = input.db
    .query<TickRow, [string]>(
      `SELECT * FROM ticks WHERE day = ? AND status NOT IN ('ok','skipped_done','skipped_overlap','running')
       ORDER BY started_at, rowid`,
    )
    .all(day);
  for (const p of problems) lines.push(problemLine(p));
  for (const id of a.manualTicks) lines.push(`  - intervention: manual tick ${id}`);
  return lines;
}

/**
 * Appends a Day N block for every completed day the run log does not cover yet (the day
 * boundary follows the spec's time zone and the injected clock). Returns the lines written.
 */
export function catchUpRunLog(
  db: Database,
  home: string,
  input: Omit<AttendanceInput, "db" | "clock">,
  now: Date,
): string[] {
  const clock = readClock(db);
  if (!clock) return [];
  const today = dayIn(now, input.spec.timezone);
  const from = clock.last_logged_day ? addDays(clock.last_logged_day, 1) : clock.start_day;
  const written: string[] = [];
  let day = from;
  for (let i = 0; i < MAX_DAYS_PER_CATCH_UP && day < today; i++, day = addDays(day, 1)) {
    const lines = dayLines({ ...input, db, clock }, day);
    append(home, lines);
    markLogged(db, day);
    written.push(...lines);
  }
  return written;
}

/** A manual tick while the clock runs is written down as it happens, honestly. */
export function logIntervention(
  db: Database,
  home: string,
  spec: Spec,
  tick: Pick<TickRow, "id" | "status" | "trigger" | "started_at">,
): string | null {
  if (tick.trigger !== "manual" || !readClock(db)) return null;
  const at = new Date(tick.started_at);
  const line = `Intervention: ${dayIn(at, spec.timezone)} ${hhmm(at, spec.timezone)} ${spec.timezone} — manual tick ${tick.id} ended ${tick.status}`;
  append(home, [line]);
  return line;
}
