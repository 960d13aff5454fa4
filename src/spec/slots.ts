/* Slot maths: which slots are due, as pure functions of the spec and a time (croner only computes; the runner sleeps). */
import type { Cron } from "croner";
import { type DaySlots, dailyLatest, dailyNext, dailySlots } from "./daily-cron.ts";
import type { Spec } from "./schema.ts";
import { type UtcPattern, utcLatest, utcNext, utcPattern } from "./utc-cron.ts";
import { onWallClock } from "./zoned-slots.ts";

/**
 * Croner loads on the first pattern daily-cron.ts and utc-cron.ts cannot answer (in another zone:
 * on the wall clock, zoned-slots.ts): an idle serve on a numeric cadence never holds it. `require` (not `import()`) keeps the slot maths synchronous.
 */
function cronOf(spec: Spec): Cron {
  const { Cron: CronClass } = require("croner") as typeof import("croner");
  // A zero offset is UTC without croner's Intl time-zone maths (ICU's cold start, as zonedParts).
  const zone = spec.timezone === "UTC" ? { utcOffset: 0 } : { timezone: spec.timezone };
  return new CronClass(spec.cadence, { ...zone, paused: true });
}

/** dailySlots and utcPattern by cadence: a status asks for the same spec's slots several times, serve at every tick. */
const dailyByCadence = new Map<string, DaySlots | null>();
const dayLevelByCadence = new Map<string, UtcPattern | null>();

/** `parse(cadence)`, kept in `cache` (null too: a pattern croner answers is not parsed again). */
function parsedOnce<T>(
  cache: Map<string, T | null>,
  cadence: string,
  parse: (c: string) => T | null,
): T | null {
  let parsed = cache.get(cadence);
  if (parsed === undefined) {
    parsed = parse(cadence);
    cache.set(cadence, parsed);
  }
  return parsed;
}

/** The cadence split into day-level sets when it is numeric, else null (croner answers). */
function dayLevel(spec: Spec): UtcPattern | null {
  return parsedOnce(dayLevelByCadence, spec.cadence, utcPattern);
}

/** The cadence's daily slots when it is a plain daily pattern (any zone), else null. */
function daily(spec: Spec): DaySlots | null {
  return parsedOnce(dailyByCadence, spec.cadence, dailySlots);
}

/**
 * `answer` asked of the spec's zone: as it is in UTC, and in another zone on the wall clock where the
 * zone's offset table holds still (zoned-slots.ts); null: croner answers.
 */
function inZone(spec: Spec, t: Date, answer: (t: Date) => Date | null): Date | null {
  return spec.timezone === "UTC" ? answer(t) : onWallClock(spec.timezone, t, answer);
}

/** The first slot strictly after `after` when the numeric paths answer it, else null (croner answers). */
function numericNext(spec: Spec, after: Date): Date | null {
  const slots = daily(spec);
  if (slots) return inZone(spec, after, (t) => dailyNext(slots, t));
  const p = dayLevel(spec);
  return p && inZone(spec, after, (t) => utcNext(p, t));
}

/** The latest slot at or before `now` when the numeric paths answer it, else null (croner answers). */
function numericLatest(spec: Spec, now: Date): Date | null {
  const slots = daily(spec);
  if (slots) return inZone(spec, now, (t) => dailyLatest(slots, t));
  const p = dayLevel(spec);
  return p && inZone(spec, now, (t) => utcLatest(p, t));
}

/** The latest cadence slot at or before `now` (the slot a tick run now serves). */
export function latestSlot(spec: Spec, now: Date): Date {
  const found = numericLatest(spec, now);
  if (found) return found;
  const cron = cronOf(spec);
  // previousRuns excludes `now` itself; a tick exactly on its slot serves that slot.
  if (cron.match(now)) return new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const prev = cron.previousRuns(1, now)[0];
  return prev ?? new Date(Math.floor(now.getTime() / 60_000) * 60_000);
}

/** The next cadence slot strictly after `now`, or null when the pattern has none. */
export function nextSlot(spec: Spec, after: Date): Date | null {
  return numericNext(spec, after) ?? cronOf(spec).nextRun(after);
}

/** Slots in (from, to], oldest first, at most `limit`. */
export function slotsBetween(spec: Spec, from: Date, to: Date, limit = 10_000): Date[] {
  const out: Date[] = [];
  let cron: Cron | null = null;
  const next = (t: Date): Date | null => {
    const found = numericNext(spec, t);
    if (found) return found;
    cron ??= cronOf(spec);
    return cron.nextRun(t);
  };
  let t: Date | null = from;
  while (out.length < limit) {
    t = next(t);
    if (!t || t.getTime() > to.getTime()) break;
    out.push(t);
  }
  return out;
}

/** When ticks are due: the spec's cron cadence, or every N seconds (TICK_SECONDS, the lab's loop mode). */
export interface Schedule {
  /** Human description for the start line and the session row. */
  readonly label: string;
  /** The latest slot at or before `now`. */
  latest(now: Date): Date;
  /** The first slot strictly after `after`, or null when there is none. */
  next(after: Date): Date | null;
  /** Slots in (from, to], oldest first, at most `limit`. */
  between(from: Date, to: Date, limit: number): Date[];
}

/** Every `seconds` seconds, on multiples of the interval since the epoch, so processes agree on slots. */
export function everySeconds(seconds: number): Schedule {
  const ms = Math.max(1, Math.round(seconds * 1000));
  const latest = (now: Date) => new Date(Math.floor(now.getTime() / ms) * ms);
  return {
    label: `every ${seconds}s`,
    latest,
    next: (after) => new Date(latest(after).getTime() + ms),
    between(from, to, limit) {
      const out: Date[] = [];
      for (let t = latest(from).getTime() + ms; t <= to.getTime() && out.length < limit; t += ms)
        out.push(new Date(t));
      return out;
    },
  };
}

/** The spec's croner pattern in the spec's time zone. */
export function cronSchedule(spec: Spec): Schedule {
  return {
    label: `cron "${spec.cadence}" ${spec.timezone}`,
    latest: (now) => latestSlot(spec, now),
    next: (after) => nextSlot(spec, after),
    between: (from, to, limit) => slotsBetween(spec, from, to, limit),
  };
}

/** TICK_SECONDS wins over the cadence when set. */
export function scheduleFor(spec: Spec, tickSeconds: number | undefined): Schedule {
  return tickSeconds === undefined ? cronSchedule(spec) : everySeconds(tickSeconds);
}
