import type { Database } from "bun:sqlite";
import { dayIn } from "../core/clock.ts";
import type { Spec } from "../spec/schema.ts";
import { nextSlot } from "../spec/slots.ts";
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

// Both answered from the index ticks(day, trigger): a count of index entries and a seek, no tick row read.
const RUNNER_TICKS = "SELECT count(*) AS n FROM ticks WHERE day = ? AND trigger <> 'manual'";
const MANUAL_TICKS = "SELECT id FROM ticks WHERE day = ? AND trigger = 'manual' ORDER BY rowid";

export function attendance(input: AttendanceInput, day: string): DayAttendance {
  const { db } = input;
  return {
    day,
    runnerTicks: db.query<{ n: number }, [string]>(RUNNER_TICKS).get(day)?.n ?? 0,
    manualTicks: db
      .query<{ id: string }, [string]>(MANUAL_TICKS)
      .all(day)
      .map((r) => r.id),
    slotDue: slotDue(input, day),
  };
}

/** Whether `day` has a runner tick and a manual tick: two index seeks, whatever the day holds. */
function ticksOn(db: Database, day: string): { runner: boolean; manual: boolean } {
  const row = db
    .query<{ runner: number; manual: number }, [string]>(
      `SELECT EXISTS (SELECT 1 FROM ticks WHERE day = ?1 AND trigger <> 'manual') AS runner,
              EXISTS (SELECT 1 FROM ticks WHERE day = ?1 AND trigger = 'manual') AS manual`,
    )
    .get(day);
  return { runner: row?.runner === 1, manual: row?.manual === 1 };
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
    // isUnattended's verdict from two index seeks a day: each snapshot walks every day since Day 0
    const has = ticksOn(input.db, day);
    if (has.manual || (!has.runner && slotDue(input, day))) break;
    n++;
  }
  return n;
}
