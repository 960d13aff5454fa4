/**
 * The cadences most specs use — minutes and hours of every day (`0 7 * * *`, `*\/15 * * * *`,
 * `30 6,18 * * *`) in UTC — as plain minute-of-day arithmetic. Croner answers the same questions for
 * every pattern, but a cold `afk status` spends ~1.5 ms loading and warming it, and an idle serve
 * ~2 MB: slots.ts asks here first, then utc-cron.ts (numeric day, month and weekday fields), and
 * loads croner for anything else (names, L/W/#, seconds). In another time zone both are asked on the
 * wall clock where the zone's cached offset table allows it (zoned-slots.ts), else croner answers. A test holds the
 * answers equal to croner's over generated patterns and instants.
 */

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;

/**
 * One field's values in lo..hi (`*` is all of them), or null when it uses anything beyond `*`,
 * `*\/n`, `a`, `a-b`, `a-b/n` and lists, or a value outside lo..hi.
 */
export function numbers(text: string, lo: number, hi: number): number[] | null {
  const parts = text.split(",");
  const out: number[] = [];
  for (const part of parts) {
    const m = /^(?:(\*)|(\d{1,2})(?:-(\d{1,2}))?)(?:\/(\d{1,2}))?$/.exec(part);
    if (!m) return null;
    const star = m[1] !== undefined;
    const from = star ? lo : Number(m[2]);
    const to = star ? hi : m[3] !== undefined ? Number(m[3]) : from;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    // `a/n` (no range) and steps of 0 mean other things to croner: leave them to it
    if (!star && m[3] === undefined && m[4] !== undefined) return null;
    if (from < lo || from > to || to > hi || step < 1) return null;
    for (let v = from; v <= to; v += step) out.push(v);
  }
  // one part is already ascending and unique; a list is merged (a cold start sorts in the interpreter)
  return parts.length === 1 ? out : [...new Set(out)].sort((a, b) => a - b);
}

/**
 * A plain daily pattern's slots: every pair of one of `hours` and one of `minutes` (each sorted).
 * Kept as the two lists, not as their product: `* * * * *` is 24 and 60 values, not 1,440 slots a
 * cold process would build in the interpreter.
 */
export interface DaySlots {
  readonly hours: readonly number[];
  readonly minutes: readonly number[];
}

/** The pattern's slots, or null when it is not a plain daily pattern (five fields, the last three `*`). */
export function dailySlots(pattern: string): DaySlots | null {
  const parts = pattern.trim().split(/\s+/);
  if (parts.length !== 5 || parts[2] !== "*" || parts[3] !== "*" || parts[4] !== "*") return null;
  const minutes = numbers(parts[0] as string, 0, 59);
  const hours = numbers(parts[1] as string, 0, 23);
  return minutes && hours ? { hours, minutes } : null;
}

/** The index of the first of the sorted `values` that is ≥ `x`, or `values.length` (a bisection). */
function firstAtLeast(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The day's first slot, as a minute of the day. */
export function firstSlot(d: DaySlots): number {
  return (d.hours[0] as number) * 60 + (d.minutes[0] as number);
}

/** The day's last slot, as a minute of the day. */
export function lastSlot(d: DaySlots): number {
  return (d.hours[d.hours.length - 1] as number) * 60 + (d.minutes[d.minutes.length - 1] as number);
}

/** The first slot at or after minute-of-day `x`, or null when the day has none left. */
export function slotAtOrAfter(d: DaySlots, x: number): number | null {
  const hour = Math.floor(x / 60);
  let i = firstAtLeast(d.hours, hour);
  if (d.hours[i] === hour) {
    const j = firstAtLeast(d.minutes, x - hour * 60);
    if (j < d.minutes.length) return hour * 60 + (d.minutes[j] as number);
    i++;
  }
  return i < d.hours.length ? (d.hours[i] as number) * 60 + (d.minutes[0] as number) : null;
}

/** The last slot at or before minute-of-day `x`, or null when the day has none yet. */
export function slotAtOrBefore(d: DaySlots, x: number): number | null {
  const hour = Math.floor(x / 60);
  let i = firstAtLeast(d.hours, hour + 1) - 1;
  if (i >= 0 && d.hours[i] === hour) {
    const j = firstAtLeast(d.minutes, x - hour * 60 + 1) - 1;
    if (j >= 0) return hour * 60 + (d.minutes[j] as number);
    i--;
  }
  return i >= 0 ? (d.hours[i] as number) * 60 + (d.minutes[d.minutes.length - 1] as number) : null;
}

/** The first slot strictly after `after` (UTC). */
export function dailyNext(d: DaySlots, after: Date): Date {
  const from = Math.floor(after.getTime() / MINUTE_MS) + 1;
  const day = Math.floor(from / DAY_MINUTES);
  const slot = slotAtOrAfter(d, from - day * DAY_MINUTES);
  const minute = slot === null ? (day + 1) * DAY_MINUTES + firstSlot(d) : day * DAY_MINUTES + slot;
  return new Date(minute * MINUTE_MS);
}

/** The latest slot at or before `now` (UTC). */
export function dailyLatest(d: DaySlots, now: Date): Date {
  const at = Math.floor(now.getTime() / MINUTE_MS);
  const day = Math.floor(at / DAY_MINUTES);
  const slot = slotAtOrBefore(d, at - day * DAY_MINUTES);
  const minute = slot === null ? (day - 1) * DAY_MINUTES + lastSlot(d) : day * DAY_MINUTES + slot;
  return new Date(minute * MINUTE_MS);
}
