import { afterAll, describe, expect, test } from "bun:test";
import {
  dayIn,
  intlZonedParts,
  isRepeatedWallTime,
  utcOffsetMinutes,
  zonedParts,
} from "../../src/core/clock.ts";
import { scanZone } from "../../src/core/zone-scan.ts";
import {
  forgetZoneTable,
  isZoneTable,
  registerZoneTable,
  tableOffset,
  tableParts,
  type ZoneTable,
  zoneDataSource,
} from "../../src/core/zone-table.ts";
import { nextDayStart } from "../../src/runner/hold.ts";
import { dayStart } from "../../src/status/days.ts";
import { relativeTime } from "../../src/status/when.ts";
import { rng } from "../support/rng.ts";
import { CACHED_AT, ZONES, zoneTables } from "../support/zones.ts";

/**
 * A zone's offset table (built from ICU when a spec is cached) answers the wall-clock questions a
 * cold `afk status` asks without ICU. Every answer inside its window must be ICU's: held here over
 * generated instants, every offset change ± a millisecond to a day, and the window's edges, in the
 * zones of support/zones.ts (DST north and south, 30 minutes of it, none, a change at midnight).
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const AROUND = [-DAY, -HOUR - 1, -MIN, -1000, -1, 0, 1, 999, MIN, HOUR, DAY];

const tables = zoneTables();

/** Instants inside the window: generated ones (half on a whole minute), and around every change. */
function instantsFor(table: ZoneTable, count = 250): number[] {
  const r = rng(table.zone.length);
  const out: number[] = [table.start, table.start + 1, table.end - 1];
  for (let i = 0; i < count; i++) {
    const t = table.start + Math.floor(r() * (table.end - table.start));
    out.push(i % 2 ? Math.floor(t / MIN) * MIN : t);
  }
  for (const c of table.changes) for (const d of AROUND) out.push(c + d);
  return out.filter((t) => t >= table.start && t < table.end);
}

/** What the zone's wall-clock functions answer at `t` (the table's or ICU's, whichever is in force). */
function answers(zone: string, t: number) {
  const at = new Date(t);
  const day = dayIn(at, zone);
  return {
    t: at.toISOString(),
    parts: zonedParts(at, zone),
    offset: utcOffsetMinutes(at, zone),
    repeated: isRepeatedWallTime(at, zone),
    dayStart: dayStart(day, zone).toISOString(),
    nextDayStart: nextDayStart(at, zone).toISOString(),
    relative: relativeTime(at, new Date(t + 30 * HOUR), zone),
  };
}

afterAll(() => {
  for (const z of ZONES) forgetZoneTable(z);
});

describe("a zone's offset table", () => {
  test.each(ZONES)("%s: scanned from ICU, from a year before caching to three after", (zone) => {
    const table = tables.get(zone) as ZoneTable;
    expect(isZoneTable(table, zone)).toBe(true);
    expect(table.start).toBeLessThanOrEqual(CACHED_AT.getTime() - 365 * DAY);
    expect(table.end).toBeGreaterThanOrEqual(CACHED_AT.getTime() + 3 * 365 * DAY);
    // Kolkata keeps no DST; the others change twice a year (six at least, should one drop DST late on)
    if (zone === "Asia/Kolkata") expect(table.changes).toEqual([]);
    else expect(table.changes.length).toBeGreaterThanOrEqual(6);
  });

  test.each(ZONES)(
    "%s: parts and offset equal ICU's at generated instants and around every change",
    (zone) => {
      const table = tables.get(zone) as ZoneTable;
      for (const t of instantsFor(table)) {
        const at = new Date(t);
        expect({ t: at.toISOString(), parts: tableParts(table, t) }).toEqual({
          t: at.toISOString(),
          parts: intlZonedParts(at, zone),
        });
        const wall = intlZonedParts(at, zone);
        const icuOffset =
          (Date.parse(`${wall.day}T${wall.hhmm.slice(0, 2)}:${wall.hhmm.slice(2)}:00Z`) -
            Math.floor(t / MIN) * MIN) /
          MIN;
        expect({ t: at.toISOString(), offset: tableOffset(table, t) }).toEqual({
          t: at.toISOString(),
          offset: icuOffset,
        });
      }
    },
  );

  test.each(ZONES)("%s: outside the window there is no answer, and the functions ask ICU", (zone) => {
    const table = tables.get(zone) as ZoneTable;
    for (const t of [table.start - 1, table.start - DAY, table.end, table.end + 400 * DAY]) {
      expect(tableParts(table, t)).toBeNull();
      expect(tableOffset(table, t)).toBeNull();
    }
  });

  test.each(ZONES)(
    "%s: dayIn, zonedParts, the offset, a repeated hour, dayStart, nextDayStart and relativeTime answer as ICU does once the table is registered",
    (zone) => {
      const table = tables.get(zone) as ZoneTable;
      const ts = [...instantsFor(table, 120), table.start - HOUR, table.end + HOUR, table.end - HOUR];
      forgetZoneTable(zone);
      const icu = ts.map((t) => answers(zone, t));
      registerZoneTable(table);
      expect(ts.map((t) => answers(zone, t))).toEqual(icu);
    },
  );

  test("a registered table is what answers (a made-up zone only the table knows), and ICU outside its window", () => {
    const start = Date.parse("2026-01-01T00:00:00Z");
    const change = Date.parse("2026-06-01T10:00:00Z");
    const fake: ZoneTable = {
      zone: "Afk/Test",
      start,
      end: start + 365 * DAY,
      changes: [change],
      offsets: [97, -30],
      source: zoneDataSource(),
    };
    registerZoneTable(fake);
    try {
      expect(zonedParts(new Date("2026-03-01T23:00:00Z"), "Afk/Test")).toEqual({
        day: "2026-03-02",
        hhmm: "0037",
      });
      expect(zonedParts(new Date(change - 1), "Afk/Test")).toEqual({ day: "2026-06-01", hhmm: "1136" });
      expect(zonedParts(new Date(change), "Afk/Test")).toEqual({ day: "2026-06-01", hhmm: "0930" });
      expect(utcOffsetMinutes(new Date(change), "Afk/Test")).toBe(-30);
      expect(() => zonedParts(new Date(start - 1), "Afk/Test")).toThrow(RangeError);
    } finally {
      forgetZoneTable("Afk/Test");
    }
  });

  test.each([
    ["another zone's table", (t: ZoneTable) => ({ ...t, zone: "Europe/Paris" })],
    ["rules read by another Bun's ICU", (t: ZoneTable) => ({ ...t, source: "bun 1.0.0 icu 73.2" })],
    ["a change out of order", (t: ZoneTable) => ({ ...t, changes: [...t.changes].reverse() })],
    [
      "a change outside the window",
      (t: ZoneTable) => ({ ...t, changes: [t.start - 1, ...t.changes.slice(1)] }),
    ],
    ["one offset too few", (t: ZoneTable) => ({ ...t, offsets: t.offsets.slice(1) })],
    [
      "an offset that is not whole minutes",
      (t: ZoneTable) => ({ ...t, offsets: [60.5, ...t.offsets.slice(1)] }),
    ],
    ["an empty window", (t: ZoneTable) => ({ ...t, end: t.start })],
    ["not an object", () => "Europe/Berlin"],
  ])("a table read back is refused when it has %s", (_what, spoil) => {
    expect(isZoneTable(spoil(tables.get("Europe/Berlin") as ZoneTable), "Europe/Berlin")).toBe(false);
  });

  test("UTC and a zone ICU does not know get no table", () => {
    expect(scanZone("UTC", CACHED_AT)).toBeNull();
    expect(scanZone("Mars/Olympus_Mons", CACHED_AT)).toBeNull();
  });
});
