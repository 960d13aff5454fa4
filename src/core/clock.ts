import { registeredZoneTable, tableOffset, tableParts } from "./zone-table.ts";

/** All time goes through one injected clock: the runner, the cap's day, Day N and catch-up read it. */
export interface Clock {
  now(): Date;
  /** Clock seconds per real second (a soak compresses days into minutes); 1 when absent. */
  readonly scale?: number;
}

/** Real milliseconds to wait until the clock shows `until` (never negative). */
export function realDelayMs(clock: Clock, until: Date): number {
  return Math.max(0, (until.getTime() - clock.now().getTime()) / (clock.scale ?? 1));
}

/**
 * A clock that starts at `start` and runs `scale` times faster than real time. Only the soak
 * and the demo use it (through AFK_CLOCK_START / AFK_CLOCK_SCALE); production runs systemClock.
 */
export class ScaledClock implements Clock {
  readonly #realStart: number;
  readonly #start: number;
  constructor(
    start: Date,
    readonly scale: number,
    private readonly realNow: () => number = Date.now,
  ) {
    this.#realStart = realNow();
    this.#start = start.getTime();
  }
  now(): Date {
    return new Date(this.#start + (this.realNow() - this.#realStart) * this.scale);
  }
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests and the soak move by hand. */
export class ManualClock implements Clock {
  #t: number;
  constructor(start: Date | string) {
    this.#t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#t);
  }
  set(t: Date | string): void {
    this.#t = new Date(t).getTime();
  }
  advance(ms: number): void {
    this.#t += ms;
  }
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = dayFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    dayFormatters.set(timeZone, f);
  }
  return f;
}

/**
 * Calendar parts of an instant in an IANA time zone. UTC is read off the ISO string, and a zone
 * whose offset table this process holds (core/zone-table.ts: the spec's zone, from the cache) off
 * the table: the first Intl.DateTimeFormat of a process loads ICU's zone data (~7 ms of a cold
 * `afk status`). Anything else, or an instant outside the table's window, asks Intl.
 */
export function zonedParts(at: Date, timeZone: string): { day: string; hhmm: string } {
  if (timeZone === "UTC") {
    const iso = at.toISOString();
    return { day: iso.slice(0, 10), hhmm: `${iso.slice(11, 13)}${iso.slice(14, 16)}` };
  }
  const table = registeredZoneTable(timeZone);
  return (table && tableParts(table, at.getTime())) ?? intlZonedParts(at, timeZone);
}

/** zonedParts as ICU answers it, table or not: what a zone table is built from and held equal to. */
export function intlZonedParts(at: Date, timeZone: string): { day: string; hhmm: string } {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return { day: `${parts.year}-${parts.month}-${parts.day}`, hhmm: `${parts.hour}${parts.minute}` };
}

/** Minutes the zone's wall clock is ahead of UTC at `at` (-240 for New York in summer). */
export function utcOffsetMinutes(at: Date, timeZone: string): number {
  if (timeZone === "UTC") return 0;
  const table = registeredZoneTable(timeZone);
  const known = table ? tableOffset(table, at.getTime()) : null;
  if (known !== null) return known;
  const { day, hhmm } = intlZonedParts(at, timeZone);
  const wall = Date.parse(`${day}T${hhmm.slice(0, 2)}:${hhmm.slice(2)}:00Z`);
  return Math.round((wall - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

/** `-0400`, `+0530`: an offset as ISO 8601's basic format writes it. */
export function formatOffset(minutes: number): string {
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${minutes < 0 ? "-" : "+"}${hh}${mm}`;
}

/** Hours either side of an instant inside which a zone's offset change is looked for (no shift is larger). */
const SHIFT_WINDOW_MS = 3 * 3_600_000;

/**
 * Whether the wall-clock time of `at` also names another instant: the repeated hour when a
 * zone falls back (01:30 happens twice in New York on the first Sunday of November).
 */
export function isRepeatedWallTime(at: Date, timeZone: string): boolean {
  if (timeZone === "UTC") return false;
  const own = utcOffsetMinutes(at, timeZone);
  const wall = zonedParts(at, timeZone);
  for (const probe of [at.getTime() - SHIFT_WINDOW_MS, at.getTime() + SHIFT_WINDOW_MS]) {
    const other = utcOffsetMinutes(new Date(probe), timeZone);
    if (other === own) continue;
    const twin = new Date(at.getTime() + (own - other) * 60_000);
    const parts = zonedParts(twin, timeZone);
    if (utcOffsetMinutes(twin, timeZone) === other && parts.day === wall.day && parts.hhmm === wall.hhmm)
      return true;
  }
  return false;
}

/** `YYYY-MM-DD` of an instant in the spec's time zone: the cap's day and Day N follow it. */
export function dayIn(at: Date, timeZone: string): string {
  return zonedParts(at, timeZone).day;
}

export function isValidTimeZone(tz: string): boolean {
  if (tz === "UTC") return true; // without loading ICU, as zonedParts
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
