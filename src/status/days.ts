import { utcOffsetMinutes } from "../core/clock.ts";

const DAY_MS = 86_400_000;

function utcMidnight(day: string): number {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
}

/** `YYYY-MM-DD` plus `n` calendar days (n may be negative). */
export function addDays(day: string, n: number): string {
  return new Date(utcMidnight(day) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Calendar days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((utcMidnight(b) - utcMidnight(a)) / DAY_MS);
}

/** Offset (ms) of `timeZone`'s wall clock from UTC at instant `t`, to the minute (the zone's table first). */
function offsetAt(t: number, timeZone: string): number {
  return utcOffsetMinutes(new Date(t), timeZone) * 60_000;
}

/** The instant a calendar day starts in `timeZone` (DST-aware: re-checked at the candidate). */
export function dayStart(day: string, timeZone: string): Date {
  const midnight = utcMidnight(day);
  let t = midnight - offsetAt(midnight, timeZone);
  t = midnight - offsetAt(t, timeZone);
  return new Date(t);
}

/** ISO-8601 week label of a calendar day: `2026-W48`. */
export function isoWeek(day: string): string {
  const d = new Date(utcMidnight(day));
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}
