import { scanZone } from "../../src/core/zone-scan.ts";
import type { ZoneTable } from "../../src/core/zone-table.ts";

/**
 * Zones the offset-table tests run in: DST north (Berlin, New York) and south (Auckland), a
 * 30-minute DST (Lord Howe), none (Kolkata, +05:30), and a change at midnight (Santiago: a day
 * that starts at 01:00).
 */
export const ZONES = [
  "Europe/Berlin",
  "America/New_York",
  "Australia/Lord_Howe",
  "Asia/Kolkata",
  "America/Santiago",
  "Pacific/Auckland",
] as const;

/** When the tests' spec was cached: the tables cover a year before to three after. */
export const CACHED_AT = new Date("2026-12-03T12:00:00Z");

/** Each of ZONES' tables as a spec cached at CACHED_AT holds it. */
export function zoneTables(): Map<string, ZoneTable> {
  return new Map(ZONES.map((z) => [z, scanZone(z, CACHED_AT) as ZoneTable]));
}
