import { type ZoneTable, zoneDataSource } from "./zone-table.ts";

const DAY_MS = 86_400_000;
/** The window around the instant a spec is cached: a year back (a status reads yesterday's rows, a week's report) and three ahead. */
const BACK_DAYS = 366;
const AHEAD_DAYS = 3 * 366;

function secondsFormatter(zone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
}

/** Seconds the zone's wall clock is ahead of UTC at `t`, as ICU says. */
function offsetSeconds(f: Intl.DateTimeFormat, t: number): number {
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(t)) if (part.type !== "literal") p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year as number, (p.month as number) - 1, p.day, p.hour, p.minute, p.second);
  return (wall - Math.floor(t / 1000) * 1000) / 1000;
}

/** The first ms in (lo, hi] whose offset is not `before`'s (one change lies there). */
function changeIn(f: Intl.DateTimeFormat, lo: number, hi: number, before: number): number {
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (offsetSeconds(f, mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * `zone`'s offsets from a year before `now` to three years after, read from ICU: one probe a day,
 * then a bisection to the millisecond where two probes differ (~1,500 probes, a few ms). It assumes
 * at most one change between two probes a day apart, as every zone has had in this century. Null
 * for UTC (answered without a table), a zone ICU does not know, or an offset that is not a whole
 * number of minutes (the wall clock would not be arithmetic to the minute).
 */
export function scanZone(zone: string, now: Date): ZoneTable | null {
  if (zone === "UTC") return null;
  let f: Intl.DateTimeFormat;
  try {
    f = secondsFormatter(zone);
  } catch {
    return null;
  }
  const start = (Math.floor(now.getTime() / DAY_MS) - BACK_DAYS) * DAY_MS;
  const end = start + (BACK_DAYS + AHEAD_DAYS) * DAY_MS;
  const changes: number[] = [];
  let offset = offsetSeconds(f, start);
  const offsets = [offset];
  for (let lo = start; lo < end - 1; lo += DAY_MS) {
    const hi = Math.min(lo + DAY_MS, end - 1);
    const next = offsetSeconds(f, hi);
    if (next === offset) continue;
    changes.push(changeIn(f, lo, hi, offset));
    offsets.push(next);
    offset = next;
  }
  if (offsets.some((o) => o % 60 !== 0)) return null;
  return { zone, start, end, changes, offsets: offsets.map((o) => o / 60), source: zoneDataSource() };
}
