/**
 * Numeric cadences (daily-cron.ts, utc-cron.ts) in a zone other than UTC, answered from the zone's
 * offset table (core/zone-table.ts, registered from the spec cache) instead of croner and ICU: the
 * question is asked on the wall clock (the instant shifted by the zone's offset) and the answer
 * shifted back. Only where the offset holds still from two days before the earlier of the instant
 * and the answer to two days after the later: no wall time in between is skipped or repeated, so
 * croner would find the same slot. Around a change (a few days a year), beyond the table's window
 * or with no table, the answer is null and croner decides, with its own rules for such times. A test
 * holds the answers equal to croner's in several zones, on and around their change days.
 */
import { registeredZoneTable, steadyOffset, tableOffset } from "../core/zone-table.ts";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * `answer` (a question about UTC instants: the next or latest slot) asked of `t` on `timeZone`'s
 * wall clock, or null when croner must answer (see above).
 */
export function onWallClock(timeZone: string, t: Date, answer: (wall: Date) => Date | null): Date | null {
  const table = registeredZoneTable(timeZone);
  const offset = table ? tableOffset(table, t.getTime()) : null;
  if (!table || offset === null) return null;
  const shift = offset * MINUTE_MS;
  const wall = answer(new Date(t.getTime() + shift));
  if (!wall) return null;
  const at = wall.getTime() - shift;
  const lo = Math.min(at, t.getTime()) - 2 * DAY_MS;
  const hi = Math.max(at, t.getTime()) + 2 * DAY_MS;
  return steadyOffset(table, lo, hi) === offset ? new Date(at) : null;
}
