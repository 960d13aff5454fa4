/**
 * A time zone's UTC offsets over a window of instants, as the validated-spec cache stores them
 * (core/zone-scan.ts builds one with Intl when a spec is cached): the offset, and so the wall clock,
 * of any instant inside the window is arithmetic. A cold `afk status` in Europe/Berlin then never
 * starts ICU (~7 ms for the first Intl.DateTimeFormat of a process). Outside the window there is no
 * answer (null), and the caller asks Intl as before.
 */
export interface ZoneTable {
  /** The IANA name exactly as the spec spells it. */
  readonly zone: string;
  /** The window, in ms since the epoch: `start` inclusive, `end` exclusive. */
  readonly start: number;
  readonly end: number;
  /** The instants (ms, ascending, inside the window) at which the offset changes. */
  readonly changes: readonly number[];
  /** Minutes ahead of UTC: offsets[0] from `start`, offsets[i + 1] from changes[i]. */
  readonly offsets: readonly number[];
  /** The time-zone rules it was read from (zoneDataSource): another runtime's ICU may hold other rules. */
  readonly source: string;
}

/**
 * Which time-zone rules this process's ICU holds: Bun's version and its ICU's. A table read under
 * other ones is stale (a country changed its DST rules, afk was rebuilt): the entry is a miss.
 */
export function zoneDataSource(): string {
  return `bun ${process.versions.bun} icu ${process.versions.icu}`;
}

const MINUTE_MS = 60_000;

/** The index of the offset in force at `t` (the number of changes at or before it). */
function spanAt(table: ZoneTable, t: number): number {
  let lo = 0;
  let hi = table.changes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((table.changes[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Minutes the zone's wall clock is ahead of UTC at instant `t`, or null outside the window. */
export function tableOffset(table: ZoneTable, t: number): number | null {
  if (!(t >= table.start && t < table.end)) return null;
  return table.offsets[spanAt(table, t)] as number;
}

/**
 * The offset in force over all of [from, to] when it does not change there, else null (a change
 * inside, or the span reaching outside the window): the slot maths answers only across such spans.
 */
export function steadyOffset(table: ZoneTable, from: number, to: number): number | null {
  if (!(from >= table.start && to < table.end && from <= to)) return null;
  const i = spanAt(table, from);
  return i === spanAt(table, to) ? (table.offsets[i] as number) : null;
}

/** The calendar day and `HHMM` of instant `t` on the zone's wall clock, or null outside the window. */
export function tableParts(table: ZoneTable, t: number): { day: string; hhmm: string } | null {
  const offset = tableOffset(table, t);
  if (offset === null) return null;
  const iso = new Date(Math.floor(t / MINUTE_MS) * MINUTE_MS + offset * MINUTE_MS).toISOString();
  return { day: iso.slice(0, 10), hhmm: `${iso.slice(11, 13)}${iso.slice(14, 16)}` };
}

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

/**
 * Whether `x` (read back from a cache file) is a table for `zone`, read from this process's zone
 * rules, whose answers can be trusted.
 */
export function isZoneTable(x: unknown, zone: string): x is ZoneTable {
  if (typeof x !== "object" || x === null) return false;
  const t = x as Record<string, unknown>;
  const { changes, offsets } = t;
  if (t.zone !== zone || t.source !== zoneDataSource()) return false;
  if (!isInt(t.start) || !isInt(t.end) || t.start >= t.end) return false;
  if (!Array.isArray(changes) || !Array.isArray(offsets) || offsets.length !== changes.length + 1)
    return false;
  if (!offsets.every((o) => isInt(o) && Math.abs(o) < 24 * 60)) return false;
  let last = t.start;
  for (const c of changes) {
    if (!isInt(c) || c <= last || c >= t.end) return false;
    last = c;
  }
  return true;
}

/** The tables this process was given (the spec's zone, from the cache), by zone. */
const registered = new Map<string, ZoneTable>();

/** Makes `table` answer for its zone in this process (zonedParts, utcOffsetMinutes, the slot maths). */
export function registerZoneTable(table: ZoneTable): void {
  registered.set(table.zone, table);
}

/** The table registered for `zone`, if any. */
export function registeredZoneTable(zone: string): ZoneTable | undefined {
  return registered.get(zone);
}

/** Drops `zone`'s table: the zone's questions go to Intl again (a test compares both answers). */
export function forgetZoneTable(zone: string): void {
  registered.delete(zone);
}
