/**
 * The cadences most specs use — minutes and hours of every day (`0 7 * * *`, `*\/15 * * * *`,
 * `30 6,18 * * *`) in UTC — as plain minute-of-day arithmetic. Croner answers the same questions for
 * every pattern, but a cold `afk status` spends ~1.5 ms loading and warming it, and an idle serve
 * ~2 MB: slots.ts asks here first, then utc-cron.ts (numeric day, month and weekday fields), and
 * loads croner for anything else (names, L/W/#, seconds, another time zone). A test holds the
 * answers equal to croner's over generated patterns and instants.
 */

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;

/**
 * One field's values in lo..hi (`*` is all of them), or null when it uses anything beyond `*`,
 * `*\/n`, `a`, `a-b`, `a-b/n` and lists, or a value outside lo..hi.
 */
export function numbers(text: string, lo: number, hi: number): number[] | null {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^(?:(\*)|(\d{1,2})(?:-(\d{1,2}))?)(?:\/(\d{1,2}))?$/.exec(part);
    if (!m) return null;
    const star = m[1] !== undefined;
    const from = star ? lo : Number(m[2]);
    const to = star ? hi : m[3] !== undefined ? Number(m[3]) : from;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    // `a/n` (no range) and steps of 0 mean other things to croner: leave them to it
    if (!star && m[3] === undefined && m[4] !== undefined) return null;
    if (from < lo || from > to || to > hi || step < 1) return null;
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * The pattern's slots as sorted minutes of the day, or null when it is not a plain daily pattern
 * (five fields, the last three `*`).
 */
export function dailyMinutes(pattern: string): number[] | null {
  const parts = pattern.trim().split(/\s+/);
  if (parts.length !== 5 || parts[2] !== "*" || parts[3] !== "*" || parts[4] !== "*") return null;
  const minutes = numbers(parts[0] as string, 0, 59);
  const hours = numbers(parts[1] as string, 0, 23);
  if (!minutes || !hours) return null;
  const out: number[] = [];
  for (const h of hours) for (const m of minutes) out.push(h * 60 + m);
  return out;
}

/**
 * The index of the first of the sorted `slots` that is ≥ `minute`, or `slots.length`: a bisection,
 * since `* * * * *` has 1,440 slots and a cold process runs this in the interpreter.
 */
function firstAtLeast(slots: readonly number[], minute: number): number {
  let lo = 0;
  let hi = slots.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((slots[mid] as number) < minute) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first slot strictly after `after` (UTC). */
export function dailyNext(slots: readonly number[], after: Date): Date {
  const from = Math.floor(after.getTime() / MINUTE_MS) + 1;
  const day = Math.floor(from / DAY_MINUTES);
  const i = firstAtLeast(slots, from - day * DAY_MINUTES);
  const minute =
    i === slots.length
      ? (day + 1) * DAY_MINUTES + (slots[0] as number)
      : day * DAY_MINUTES + (slots[i] as number);
  return new Date(minute * MINUTE_MS);
}

/** The latest slot at or before `now` (UTC). */
export function dailyLatest(slots: readonly number[], now: Date): Date {
  const at = Math.floor(now.getTime() / MINUTE_MS);
  const day = Math.floor(at / DAY_MINUTES);
  // the last slot at or before the minute: the one before the first slot after it
  const i = firstAtLeast(slots, at - day * DAY_MINUTES + 1) - 1;
  const minute =
    i < 0
      ? (day - 1) * DAY_MINUTES + (slots[slots.length - 1] as number)
      : day * DAY_MINUTES + (slots[i] as number);
  return new Date(minute * MINUTE_MS);
}
