/**
 * Five-field cadences in UTC whose day, month and weekday fields are plain numbers, ranges, steps
 * and lists (`0 0 1 1 *`, `0 7 * * 1-5`, `30 6 1,15 * *`), walked day by day. Croner answers the
 * same questions for every pattern, but an idle serve holds ~2 MB for it: slots.ts asks
 * daily-cron.ts, then here, and loads croner only for names, L/W/#, `?`, seconds, or a time zone
 * whose cached offset table cannot answer (zoned-slots.ts asks here on the zone's wall clock).
 * Croner's rules are kept: weekday 7 is Sunday, and when both day-of-month and weekday are
 * restricted a day matches either (croner's default, `domAndDow: false`). A test holds the answers
 * equal to croner's over generated patterns and instants.
 */
import {
  type DaySlots,
  dailySlots,
  firstSlot,
  lastSlot,
  numbers,
  slotAtOrAfter,
  slotAtOrBefore,
} from "./daily-cron.ts";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const DAY_MINUTES = 1440;
/** How far a walk looks before handing the pattern to croner: 29 February can be 8 years away. */
const MAX_MONTHS = 12 * 9;

export interface UtcPattern {
  /** The slots of a matching day. */
  readonly slots: DaySlots;
  /** Days of the month, sorted. */
  readonly dom: readonly number[] | null;
  readonly months: ReadonlySet<number> | null;
  readonly dow: ReadonlySet<number> | null;
}

/** The pattern split into day-level sets (null: `*`), or null when it is beyond this file. */
export function utcPattern(pattern: string): UtcPattern | null {
  const parts = pattern.trim().split(/\s+/);
  if (parts.length !== 5) return null;
  const [min, hour, dom, month, dow] = parts as [string, string, string, string, string];
  const slots = dailySlots(`${min} ${hour} * * *`);
  if (!slots) return null;
  const list = (text: string, lo: number, hi: number): number[] | null | undefined => {
    if (text === "*") return null;
    const values = numbers(text, lo, hi);
    return values && values.length > 0 ? values : undefined;
  };
  const d = list(dom, 1, 31);
  const m = list(month, 1, 12);
  const w = list(dow, 0, 7);
  if (d === undefined || m === undefined || w === undefined) return null;
  return { slots, dom: d, months: m && new Set(m), dow: w && new Set(w.map((v) => v % 7)) };
}

/**
 * The first (dir 1) or last (dir -1) matching day of the month `month` (months since 1970) from
 * `start` (a day of that month, or 0: from its edge), as days since the epoch, or null. Walks by
 * month, not by day: a start-up slot costs a few dozen steps, not hundreds of calls that would wake
 * the JIT (~2 MB of Bun's machine code paged in for good, the idle serve's figure).
 */
function dayIn(p: UtcPattern, month: number, start: number, dir: 1 | -1): number | null {
  const y = Math.floor(month / 12);
  const m = month - y * 12;
  const first = Date.UTC(y, m, 1) / DAY_MS;
  const length = Date.UTC(y, m + 1, 1) / DAY_MS - first;
  const both = p.dom !== null && p.dow !== null;
  let d = start !== 0 ? start : dir === 1 ? 1 : length;
  if (p.dom && !p.dow) {
    // the list names the day: no walk (a plain loop, no callback, for the same reason)
    const dom = p.dom;
    if (dir === 1) {
      for (let i = 0; i < dom.length; i++)
        if ((dom[i] as number) >= d && (dom[i] as number) <= length) return first + (dom[i] as number) - 1;
    } else {
      for (let i = dom.length - 1; i >= 0; i--)
        if ((dom[i] as number) <= d) return first + (dom[i] as number) - 1;
    }
    return null;
  }
  // a weekday list matches within a week: at most seven steps
  for (; d >= 1 && d <= length; d += dir) {
    const day = first + d - 1;
    // 1 January 1970 was a Thursday
    const domOk = !p.dom || p.dom.includes(d);
    const dowOk = !p.dow || p.dow.has((((day + 4) % 7) + 7) % 7);
    if (both ? domOk || dowOk : domOk && dowOk) return day;
  }
  return null;
}

function monthOf(day: number): { month: number; date: number } {
  const at = new Date(day * DAY_MS);
  return { month: at.getUTCFullYear() * 12 + at.getUTCMonth(), date: at.getUTCDate() };
}

/** The first slot strictly after `after`, or null when none comes within nine years (croner decides). */
export function utcNext(p: UtcPattern, after: Date): Date | null {
  const from = Math.floor(after.getTime() / MINUTE_MS) + 1;
  let today = Math.floor(from / DAY_MINUTES);
  const floor = from - today * DAY_MINUTES;
  // today counts only with a slot left after `from`; else the walk starts tomorrow
  if (slotAtOrAfter(p.slots, floor) === null) today += 1;
  const start = monthOf(today);
  for (let month = start.month; month <= start.month + MAX_MONTHS; month++) {
    // months outside the list are skipped here, not by a call each (calls are what wake the JIT)
    if (p.months && !p.months.has((month % 12) + 1)) continue;
    const day = dayIn(p, month, month === start.month ? start.date : 0, 1);
    if (day === null) continue;
    const hit = day === Math.floor(from / DAY_MINUTES) ? slotAtOrAfter(p.slots, floor) : firstSlot(p.slots);
    return new Date((day * DAY_MINUTES + (hit as number)) * MINUTE_MS);
  }
  return null;
}

/** The latest slot at or before `now`, or null when none lies within nine years (croner decides). */
export function utcLatest(p: UtcPattern, now: Date): Date | null {
  const at = Math.floor(now.getTime() / MINUTE_MS);
  let today = Math.floor(at / DAY_MINUTES);
  const ceil = at - today * DAY_MINUTES;
  if (firstSlot(p.slots) > ceil) today -= 1;
  const start = monthOf(today);
  for (let month = start.month; month >= start.month - MAX_MONTHS; month--) {
    // months outside the list are skipped here, not by a call each (calls are what wake the JIT)
    if (p.months && !p.months.has((month % 12) + 1)) continue;
    const day = dayIn(p, month, month === start.month ? start.date : 0, -1);
    if (day === null) continue;
    const hit = day === Math.floor(at / DAY_MINUTES) ? slotAtOrBefore(p.slots, ceil) : lastSlot(p.slots);
    return new Date((day * DAY_MINUTES + (hit as number)) * MINUTE_MS);
  }
  return null;
}
