import type { Database } from "bun:sqlite";
import { dayIn } from "../core/clock.ts";
import type { Schedule } from "../spec/slots.ts";

/**
 * Why ticks are held while serve stays up: `halted` (the day's spend reached the cap; it ends by
 * itself when the cap's day rolls over), `stopped` (the kill flag; `afk arm` ends it), or neither.
 */
export const HOLD_STATES = ["running", "halted", "stopped"] as const;
export type HoldState = (typeof HOLD_STATES)[number];

export interface Hold {
  state: HoldState;
  /** Short why, for the page, `afk status` and the notice. */
  reason: string | null;
  /** When the hold began: the first refused row of the hold. */
  since: string | null;
  /** When ticks run again with no person acting (halted), or null (stopped: on `afk arm`). */
  resumes_at: string | null;
}

const DAY_MS = 86_400_000;

/**
 * The first instant of the day after `now`'s day in `timeZone` (midnight there, DST included):
 * bisected on the calendar day, since a zone's midnight is not a fixed UTC offset away.
 */
export function nextDayStart(now: Date, timeZone: string): Date {
  const today = dayIn(now, timeZone);
  // lo is today; hi is a later day (no day is longer than 25 h). Midnight falls on a whole second.
  let lo = Math.floor(now.getTime() / 1000) * 1000;
  let hi = lo + DAY_MS + 2 * 3_600_000;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (dayIn(new Date(mid), timeZone) === today) lo = mid;
    else hi = mid;
  }
  return new Date(hi);
}

/** The first slot on or after the next day's midnight (spec time zone): when a cap halt ends. */
export function capResumesAt(schedule: Schedule, now: Date, timeZone: string): Date | null {
  const midnight = nextDayStart(now, timeZone);
  return schedule.next(new Date(midnight.getTime() - 1));
}

export interface HoldInput {
  db: Database;
  schedule: Schedule;
  timeZone: string;
  now: Date;
  killFlag: string;
  flagPresent: boolean;
  /** Today's spend has reached the cap (the guard would halt the next tick). */
  capReached: boolean;
}

/**
 * The status of the day's newest row. The newest row of all (read off the started_at index) is the
 * day's newest whenever it is of that day, which it is on every tick after the day's first; only
 * otherwise are the day's rows sorted (on a 10,000-tick ledger that sort was most of a cold `afk
 * status`'s queries).
 */
function newestOnDay(db: Database, day: string): { status: string } | null {
  const last = db
    .query<{ status: string; day: string }, []>(
      "SELECT status, day FROM ticks ORDER BY started_at DESC, rowid DESC LIMIT 1",
    )
    .get();
  if (last === null || last.day === day) return last;
  return db
    .query<{ status: string }, [string]>(
      "SELECT status FROM ticks WHERE day = ? ORDER BY started_at DESC, rowid DESC LIMIT 1",
    )
    .get(day);
}

/**
 * The hold as the ledger and the flag show it, so `afk status` in another process, the page of
 * a running serve and cron mode all say the same: the kill flag wins; then a cap halt, when
 * today's newest row is `halted_cap` (or the spend is at the cap).
 */
export function currentHold(i: HoldInput): Hold {
  if (i.flagPresent)
    return {
      state: "stopped",
      reason: `kill flag ${i.killFlag} present; \`afk arm\` resumes`,
      since: null,
      resumes_at: null,
    };
  const day = dayIn(i.now, i.timeZone);
  const newest = newestOnDay(i.db, day);
  if (newest?.status !== "halted_cap" && !i.capReached)
    return { state: "running", reason: null, since: null, resumes_at: null };
  const first = i.db
    .query<{ at: string | null }, [string]>(
      "SELECT min(started_at) AS at FROM ticks WHERE day = ? AND status = 'halted_cap'",
    )
    .get(day);
  const resumes = capResumesAt(i.schedule, i.now, i.timeZone);
  return {
    state: "halted",
    reason: `spend cap reached for ${day}; resumes by itself on the next day`,
    since: first?.at ?? null,
    resumes_at: resumes?.toISOString() ?? null,
  };
}
