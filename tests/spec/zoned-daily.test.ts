import { afterAll, describe, expect, test } from "bun:test";
import { Cron } from "croner";
import { forgetZoneTable, registerZoneTable, type ZoneTable } from "../../src/core/zone-table.ts";
import { type DaySlots, dailySlots } from "../../src/spec/daily-cron.ts";
import type { Spec } from "../../src/spec/schema.ts";
import { latestSlot, nextSlot, slotsBetween } from "../../src/spec/slots.ts";
import { zonedDailyLatest, zonedDailyNext } from "../../src/spec/zoned-daily.ts";
import { dailyPatterns } from "../support/cron-patterns.ts";
import { rng } from "../support/rng.ts";
import { CACHED_AT, ZONES, zoneTables } from "../support/zones.ts";

/**
 * A plain daily cadence in a zone other than UTC is answered from the zone's offset table where the
 * offset holds still, and by croner around its changes. Where the table answers, the answer must be
 * croner's: held over generated patterns and instants (random ones, and on and around every change
 * day) in the zones of support/zones.ts (DST north and south, 30 minutes of it, none, a change at
 * midnight).
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Around a change: inside two days croner answers, from two days on the table does. */
const AROUND = [
  -3 * DAY,
  -2 * DAY - 1,
  -2 * DAY,
  -DAY,
  -3 * HOUR,
  -1,
  0,
  HOUR,
  DAY,
  2 * DAY,
  2 * DAY + 1,
  2 * DAY + MIN,
  3 * DAY,
];

const tables = zoneTables();
for (const t of tables.values()) registerZoneTable(t);
afterAll(() => {
  for (const z of ZONES) forgetZoneTable(z);
});

function cronerNext(pattern: string, zone: string, after: Date): Date | null {
  return new Cron(pattern, { timezone: zone, paused: true }).nextRun(after);
}
/** Croner's latest slot as slots.ts asks it (a tick exactly on its slot serves that slot). */
function cronerLatest(pattern: string, zone: string, now: Date): Date | null {
  const cron = new Cron(pattern, { timezone: zone, paused: true });
  if (cron.match(now)) return new Date(Math.floor(now.getTime() / MIN) * MIN);
  return cron.previousRuns(1, now)[0] ?? null;
}

function instantsFor(table: ZoneTable, count: number): Date[] {
  const r = rng(table.zone.length + 7);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = table.start + 3 * DAY + Math.floor(r() * (table.end - table.start - 6 * DAY));
    out.push(i % 2 ? Math.floor(t / MIN) * MIN : t);
  }
  for (const c of table.changes) for (const d of AROUND) out.push(c + d);
  return out.map((t) => new Date(t));
}

describe("plain daily cadences in a time zone answer as croner does", () => {
  const ps = dailyPatterns(25, 31);
  for (const zone of ZONES) {
    const table = tables.get(zone) as ZoneTable;
    const ts = instantsFor(table, 24);

    test.each(ps)(
      `${zone} %s: next and latest slot where the table answers; croner within two days of a change`,
      (pattern) => {
        const slots = dailySlots(pattern) as DaySlots;
        let answered = 0;
        for (const t of ts) {
          // the offset in force from two days before `t` to two days after is not one offset
          const near = table.changes.some((c) => c > t.getTime() - 2 * DAY && c <= t.getTime() + 2 * DAY);
          const next = zonedDailyNext(slots, zone, t);
          const latest = zonedDailyLatest(slots, zone, t);
          expect({ t, near, next: next === null, latest: latest === null }).toEqual({
            t,
            near,
            next: near,
            latest: near,
          });
          if (next === null || latest === null) continue;
          answered++;
          expect({ t, next }).toEqual({ t, next: cronerNext(pattern, zone, t) as Date });
          expect({ t, latest }).toEqual({ t, latest: cronerLatest(pattern, zone, t) as Date });
        }
        expect(answered).toBeGreaterThanOrEqual(20);
      },
    );
  }

  test("outside the table's window, or for a zone with no table, croner answers", () => {
    const slots = dailySlots("0 7 * * *") as DaySlots;
    const table = tables.get("Europe/Berlin") as ZoneTable;
    expect(zonedDailyNext(slots, "Europe/Berlin", new Date(table.end + DAY))).toBeNull();
    expect(zonedDailyLatest(slots, "Europe/Berlin", new Date(table.start))).toBeNull();
    expect(zonedDailyNext(slots, "Europe/Lisbon", new Date(CACHED_AT))).toBeNull();
  });

  test.each(ZONES)(
    "%s: slots.ts over a month around each change (table, then croner, then table) lists croner's slots",
    (zone) => {
      const table = tables.get(zone) as ZoneTable;
      const spec = { cadence: "30 1,2,3 * * *", timezone: zone } as Spec;
      const cron = new Cron(spec.cadence, { timezone: zone, paused: true });
      for (const c of table.changes.slice(0, 2)) {
        const from = new Date(c - 15 * DAY);
        const to = new Date(c + 15 * DAY);
        const expected: Date[] = [];
        for (let t = cron.nextRun(from); t && t <= to; t = cron.nextRun(t)) expected.push(t);
        expect(slotsBetween(spec, from, to)).toEqual(expected);
        for (const t of [from, new Date(c), to]) {
          expect(nextSlot(spec, t)).toEqual(cronerNext(spec.cadence, zone, t));
          expect(latestSlot(spec, t)).toEqual(cronerLatest(spec.cadence, zone, t) as Date);
        }
      }
    },
  );
});
