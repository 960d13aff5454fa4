/**
 * The cadences most specs use — minutes and hours of every day (`0 7 * * *`, `*\/15 * * * *`,
 * `30 6,18 * * *`) in UTC — as plain minute-of-day arithmetic. Croner answers the same questions for
 * every pattern, but a cold `afk status` spends ~1.5 ms loading and warming it, and an idle serve
 * ~3 MB: slots.ts asks here first and falls back to croner for anything else (a day, month or
 * weekday field, names, L/W/#, seconds, another time zone). A test holds the answers equal to
 * croner's over generated patterns and instants.
 */

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;

/** One field's values, or null when it uses anything beyond `*`, `*\/n`, `a`, `a-b`, `a-b/n` and lists. */
function field(text: string, max: number): number[] | null {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^(?:(\*)|(\d{1,2})(?:-(\d{1,2}))?)(?:\/(\d{1,2}))?$/.exec(part);
    if (!m) return null;
    const star = m[1] !== undefined;
    const from = star ? 0 : Number(m[2]);
    const to = star ? max : m[3] !== undefined ? Number(m[3]) : from;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    // `a/n` (no range) and steps of 0 mean other things to croner: leave them to it
    if (!star && m[3] === undefined && m[4] !== undefined) return null;
    if (from > to || to > max || step < 1) return null;
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
  const minutes = field(parts[0] as string, 59);
  const hours = field(parts[1] as string, 23);
  if (!minutes || !hours) return null;
  return hours.flatMap((h) => minutes.map((m) => h * 60 + m));
}

/** The first slot strictly after `after` (UTC). */
export function dailyNext(slots: readonly number[], after: Date): Date {
  const from = Math.floor(after.getTime() / MINUTE_MS) + 1;
  const day = Math.floor(from / DAY_MINUTES);
  const hit = slots.find((m) => m >= from - day * DAY_MINUTES);
  const minute = hit === undefined ? (day + 1) * DAY_MINUTES + (slots[0] as number) : day * DAY_MINUTES + hit;
  return new Date(minute * MINUTE_MS);
}

/** The latest slot at or before `now` (UTC). */
export function dailyLatest(slots: readonly number[], now: Date): Date {
  const at = Math.floor(now.getTime() / MINUTE_MS);
  const day = Math.floor(at / DAY_MINUTES);
  const hit = slots.findLast((m) => m <= at - day * DAY_MINUTES);
  const minute =
    hit === undefined
      ? (day - 1) * DAY_MINUTES + (slots[slots.length - 1] as number)
      : day * DAY_MINUTES + hit;
  return new Date(minute * MINUTE_MS);
}
