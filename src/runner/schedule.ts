import type { Spec } from "../spec/schema.ts";
import { latestSlot, nextSlot, slotsBetween } from "./slots.ts";

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
