/**
 * Plain daily cadences (daily-cron.ts) in a zone other than UTC, answered from the zone's offset
 * table (core/zone-table.ts, registered from the spec cache) instead of croner and ICU: the slot is
 * found on the wall clock and shifted back by the offset. Only where the offset holds still from two
 * days before the instant asked about to two days after — every slot involved lies within a day of
 * it — so no wall time there is skipped or repeated; around a change (a few days a year), or with no
 * table, the answer is null and croner decides, with its own rules for such times. A test holds the
 * answers equal to croner's in several zones, on and around their change days.
 */
import { registeredZoneTable, steadyOffset } from "../core/zone-table.ts";
import { type DaySlots, dailyLatest, dailyNext } from "./daily-cron.ts";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The zone's offset (ms) when its table knows it and it holds still within two days of `t`, else null. */
function steadyShift(timeZone: string, t: number): number | null {
  const table = registeredZoneTable(timeZone);
  const offset = table ? steadyOffset(table, t - 2 * DAY_MS, t + 2 * DAY_MS) : null;
  return offset === null ? null : offset * MINUTE_MS;
}

/** The first slot strictly after `after`, or null when croner must answer (see above). */
export function zonedDailyNext(d: DaySlots, timeZone: string, after: Date): Date | null {
  const shift = steadyShift(timeZone, after.getTime());
  if (shift === null) return null;
  return new Date(dailyNext(d, new Date(after.getTime() + shift)).getTime() - shift);
}

/** The latest slot at or before `now`, or null when croner must answer (see above). */
export function zonedDailyLatest(d: DaySlots, timeZone: string, now: Date): Date | null {
  const shift = steadyShift(timeZone, now.getTime());
  if (shift === null) return null;
  return new Date(dailyLatest(d, new Date(now.getTime() + shift)).getTime() - shift);
}
