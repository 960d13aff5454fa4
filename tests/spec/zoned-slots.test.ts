import { afterAll, describe, expect, test } from "bun:test";
import { Cron } from "croner";
import { forgetZoneTable, registerZoneTable, type ZoneTable } from "../../src/core/zone-table.ts";
import { type DaySlots, dailyLatest, dailyNext, dailySlots } from "../../src/spec/daily-cron.ts";
import type { Spec } from "../../src/spec/schema.ts";
import { latestSlot, nextSlot, slotsBetween } from "../../src/spec/slots.ts";
import { type UtcPattern, utcLatest, utcNext, utcPattern } from "../../src/spec/utc-cron.ts";
import { onWallClock } from "../../src/spec/zoned-slots.ts";
import { dailyPatterns, dayPatterns } from "../support/cron-patterns.ts";
import { rng } from "../support/rng.ts";
import { CACHED_AT, ZONES, zoneTables } from "../support/zones.ts";

/**
 * A numeric cadence (plain daily, or with day, month and weekday fields) in a zone other than UTC is
 * answered on the wall clock from the zone's offset table where the offset holds still, and by
 * croner around its changes. Where the table answers, the answer must be
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

/** Whether the zone's offset holds still from two days before the earlier of `t` and `at` to two days after the later. */
function steadyAround(table: ZoneTable, t: Date, at: Date): boolean {
  const lo = Math.min(t.getTime(), at.getTime()) - 2 * DAY;
  const hi = Math.max(t.getTime(), at.getTime()) + 2 * DAY;
  return table.changes.every((c) => c <= lo || c > hi) && lo >= table.start && hi < table.end;
}

describe("numeric cadences in a time zone answer as croner does", () => {
  const daily = dailyPatterns(25, 31);
  const days = dayPatterns(15, 37);
  for (const zone of ZONES) {
    const table = tables.get(zone) as ZoneTable;
    const ts = instantsFor(table, 24);

    test.each(daily)(
      `${zone} %s: where the table answers it is croner's slot, and it answers wherever the offset holds still`,
      (pattern) => {
        const slots = dailySlots(pattern) as DaySlots;
        let answered = 0;
        for (const t of ts) {
          const next = onWallClock(zone, t, (w) => dailyNext(slots, w));
          const latest = onWallClock(zone, t, (w) => dailyLatest(slots, w));
          const expected = {
            next: cronerNext(pattern, zone, t) as Date,
            latest: cronerLatest(pattern, zone, t) as Date,
          };
          expect({ t, next, latest }).toEqual({
            t,
            next: steadyAround(table, t, expected.next) ? expected.next : null,
            latest: steadyAround(table, t, expected.latest) ? expected.latest : null,
          });
          if (next && latest) answered++;
        }
        expect(answered).toBeGreaterThanOrEqual(20);
      },
    );

    test.each(days)(`${zone} %s: where the table answers it is croner's slot`, (pattern) => {
      const p = utcPattern(pattern) as UtcPattern;
      let answered = 0;
      for (const t of ts) {
        const next = onWallClock(zone, t, (w) => utcNext(p, w));
        if (next) expect({ t, next }).toEqual({ t, next: cronerNext(pattern, zone, t) as Date });
        const latest = onWallClock(zone, t, (w) => utcLatest(p, w));
        if (latest) expect({ t, latest }).toEqual({ t, latest: cronerLatest(pattern, zone, t) as Date });
        if (next && latest) answered++;
      }
      // a slot months away spans an offset change, which croner answers; the generated ones mostly do not
      if (["0 7 * * 1", "0 7 * * 1-5", "0 7 * * 7"].includes(pattern))
        expect(answered).toBeGreaterThanOrEqual(15);
    });
  }

  test("outside the table's window, or for a zone with no table, croner answers", () => {
    const slots = dailySlots("0 7 * * *") as DaySlots;
    const table = tables.get("Europe/Berlin") as ZoneTable;
    const next = (w: Date) => dailyNext(slots, w);
    expect(onWallClock("Europe/Berlin", new Date(table.end + DAY), next)).toBeNull();
    expect(onWallClock("Europe/Berlin", new Date(table.start), (w) => dailyLatest(slots, w))).toBeNull();
    expect(onWallClock("Europe/Berlin", new Date(table.end - DAY), next)).toBeNull();
    expect(onWallClock("Europe/Lisbon", new Date(CACHED_AT), next)).toBeNull();
    expect(onWallClock("Europe/Berlin", new Date(CACHED_AT), next)).toEqual(new Date("2026-12-04T06:00:00Z"));
  });

  test.each(ZONES)(
    "%s: slots.ts over a month around each change (table, then croner, then table) lists croner's slots",
    (zone) => {
      for (const cadence of ["30 1,2,3 * * *", "0,30 2 * * 1-5"]) slotsAroundChanges(zone, cadence);
    },
  );
});

/** slots.ts's answers for `cadence` over a month around the zone's first two changes, against croner's. */
function slotsAroundChanges(zone: string, cadence: string): void {
  const table = tables.get(zone) as ZoneTable;
  const spec = { cadence, timezone: zone } as Spec;
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
}
