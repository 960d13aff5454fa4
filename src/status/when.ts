import { zonedParts } from "../core/clock.ts";
import { addDays } from "./days.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;

function hhmm(at: Date, timeZone: string): { day: string; time: string } {
  const p = zonedParts(at, timeZone);
  return { day: p.day, time: `${p.hhmm.slice(0, 2)}:${p.hhmm.slice(2)}` };
}

/**
 * An instant as an operator reads it at a glance, relative to `now`: "just now", "3 min ago",
 * "in 6 h", and past ten hours the wall clock in the spec's zone: "yesterday 07:00",
 * "tomorrow 07:00", "2026-11-20 07:00". Time is an argument, so this is a pure function.
 */
export function relativeTime(at: Date, now: Date, timeZone: string): string {
  const diff = at.getTime() - now.getTime();
  const abs = Math.abs(diff);
  const past = diff <= 0;
  if (abs < 45_000) return past ? "just now" : "in a few seconds";
  if (abs < 90 * MIN) {
    const m = Math.max(1, Math.round(abs / MIN));
    return past ? `${m} min ago` : `in ${m} min`;
  }
  if (abs < 10 * HOUR) {
    const h = Math.round(abs / HOUR);
    return past ? `${h} h ago` : `in ${h} h`;
  }
  const when = hhmm(at, timeZone);
  const today = zonedParts(now, timeZone).day;
  if (when.day === today) return `today ${when.time}`;
  if (when.day === addDays(today, -1)) return `yesterday ${when.time}`;
  if (when.day === addDays(today, 1)) return `tomorrow ${when.time}`;
  return `${when.day} ${when.time}`;
}

/** The exact instant for a title or a CLI parenthesis: ISO-8601 in UTC, to the second. */
export function exactTime(at: Date): string {
  return `${at.toISOString().slice(0, 19)}Z`;
}

/** "3 min ago (2026-11-24T07:00:00Z)": the CLI's rendering of one instant. */
export function relativeWithExact(iso: string, now: Date, timeZone: string): string {
  const at = new Date(iso);
  return `${relativeTime(at, now, timeZone)} (${exactTime(at)})`;
}
