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
 * Calendar parts of an instant in an IANA time zone. UTC is read off the ISO string: the first
 * Intl.DateTimeFormat of a process loads ICU's zone data (~10 ms of a cold `afk status`).
 */
export function zonedParts(at: Date, timeZone: string): { day: string; hhmm: string } {
  if (timeZone === "UTC") {
    const iso = at.toISOString();
    return { day: iso.slice(0, 10), hhmm: `${iso.slice(11, 13)}${iso.slice(14, 16)}` };
  }
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return { day: `${parts.year}-${parts.month}-${parts.day}`, hhmm: `${parts.hour}${parts.minute}` };
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
