import { Cron } from "croner";
import type { Spec } from "../spec/schema.ts";

function cronOf(spec: Spec): Cron {
  // A zero offset is UTC without croner's Intl time-zone maths (ICU's cold start, as zonedParts).
  const zone = spec.timezone === "UTC" ? { utcOffset: 0 } : { timezone: spec.timezone };
  return new Cron(spec.cadence, { ...zone, paused: true });
}

/** The latest cadence slot at or before `now` (the slot a tick run now serves). */
export function latestSlot(spec: Spec, now: Date): Date {
  const cron = cronOf(spec);
  // previousRuns excludes `now` itself; a tick exactly on its slot serves that slot.
  if (cron.match(now)) return new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const prev = cron.previousRuns(1, now)[0];
  return prev ?? new Date(Math.floor(now.getTime() / 60_000) * 60_000);
}

/** The next cadence slot strictly after `now`, or null when the pattern has none. */
export function nextSlot(spec: Spec, after: Date): Date | null {
  return cronOf(spec).nextRun(after);
}

/** Slots in (from, to], oldest first, at most `limit`. */
export function slotsBetween(spec: Spec, from: Date, to: Date, limit = 10_000): Date[] {
  const out: Date[] = [];
  const cron = cronOf(spec);
  let t: Date | null = from;
  while (out.length < limit) {
    t = cron.nextRun(t);
    if (!t || t.getTime() > to.getTime()) break;
    out.push(t);
  }
  return out;
}
