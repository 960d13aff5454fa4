import type { Database } from "bun:sqlite";
import { dayIn } from "../core/clock.ts";
import { nextSlot } from "../runner/slots.ts";
import type { Spec } from "../spec/schema.ts";
import type { ClockState } from "./clock-state.ts";
import { addDays, dayStart, daysBetween } from "./days.ts";

/** What one day of the clock looked like, from the ledger: runner ticks, manual ticks, whether a slot was due. */
export interface DayAttendance {
  day: string;
  runnerTicks: number;
  manualTicks: string[];
  slotDue: boolean;
}

export interface AttendanceInput {
  db: Database;
  spec: Spec;
  /** Loop mode (TICK_SECONDS): every day has slots. */
  tickSeconds: number | undefined;
  clock: ClockState;
}

/** Whether the cadence had a slot on `day` after the clock started. */
function slotDue(input: AttendanceInput, day: string): boolean {
  if (input.tickSeconds !== undefined) return true;
  const tz = input.spec.timezone;
  const start = Math.max(dayStart(day, tz).getTime(), new Date(input.clock.started_at).getTime());
  const next = nextSlot(input.spec, new Date(start - 1));
  return next !== null && dayIn(next, tz) === day;
}

export function attendance(input: AttendanceInput, day: string): DayAttendance {
  const rows = input.db
    .query<{ id: string; trigger: string }, [string]>("SELECT id, trigger FROM ticks WHERE day = ?")
    .all(day);
  return {
    day,
    runnerTicks: rows.filter((r) => r.trigger !== "manual").length,
    manualTicks: rows.filter((r) => r.trigger === "manual").map((r) => r.id),
    slotDue: slotDue(input, day),
  };
}

/** A day ran unattended when nobody ticked by hand and the runner ticked whenever a slot was due. */
export function isUnattended(a: DayAttendance): boolean {
  return a.manualTicks.length === 0 && (a.runnerTicks > 0 || !a.slotDue);
}

/**
 * Consecutive completed days, counting back from yesterday (in the spec's time zone) to the
 * clock's Day 0, that ran unattended. Today is not counted until it is over.
 */
export function unattendedDays(input: AttendanceInput, today: string): number {
  let n = 0;
  const first = input.clock.start_day;
  for (let day = addDays(today, -1); daysBetween(first, day) >= 0; day = addDays(day, -1)) {
    if (!isUnattended(attendance(input, day))) break;
    n++;
  }
  return n;
}
