import { addDays, daysBetween } from "../status/days.ts";
import { type AttendanceInput, attendance, isUnattended } from "../status/unattended.ts";

/** A run of consecutive unattended days. */
export interface Streak {
  first: string;
  last: string;
  days: number;
}

/**
 * The longest run of consecutive unattended completed days between the clock's Day 0 and
 * yesterday (today is not over). `afk status` shows the current run; the lab's bar is any
 * window of that length, so a finished run can still be verified after it.
 */
export function longestUnattended(input: AttendanceInput, today: string): Streak | null {
  let best: Streak | null = null;
  let cur = null as Streak | null;
  for (let day = input.clock.start_day; daysBetween(day, today) > 0; day = addDays(day, 1)) {
    if (!isUnattended(attendance(input, day))) {
      cur = null;
      continue;
    }
    cur = cur ? { first: cur.first, last: day, days: cur.days + 1 } : { first: day, last: day, days: 1 };
    if (!best || cur.days > best.days) best = cur;
  }
  return best;
}
