import { describe, expect, test } from "bun:test";
import { Cron } from "croner";
import { type DaySlots, dailyLatest, dailyNext, dailySlots } from "../../src/spec/daily-cron.ts";
import { utcLatest, utcNext, utcPattern } from "../../src/spec/utc-cron.ts";
import { dailyPatterns, dayPatterns } from "../support/cron-patterns.ts";
import { rng } from "../support/rng.ts";

/** Croner's answers, as slots.ts asked them before the daily path (UTC: a zero offset). */
function cronerNext(pattern: string, after: Date): Date | null {
  return new Cron(pattern, { utcOffset: 0, paused: true }).nextRun(after);
}
function cronerLatest(pattern: string, now: Date): Date | null {
  const cron = new Cron(pattern, { utcOffset: 0, paused: true });
  if (cron.match(now)) return new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  return cron.previousRuns(1, now)[0] ?? null;
}

function instants(count: number): Date[] {
  const r = rng(5);
  const base = Date.parse("2026-01-01T00:00:00Z");
  const out = [
    new Date("2026-03-01T07:00:00.000Z"), // exactly on a slot
    new Date("2026-03-01T06:59:59.999Z"),
    new Date("2026-03-01T07:00:00.001Z"),
    new Date("2026-12-31T23:59:30.000Z"), // the year turns
    new Date("2028-02-29T00:00:00.000Z"), // a leap day
  ];
  for (let i = 0; i < count; i++) {
    const t = base + Math.floor(r() * 3 * 365 * 86_400_000);
    // half of them on a whole minute, where "at" and "strictly after" differ
    out.push(new Date(i % 2 ? Math.floor(t / 60_000) * 60_000 : t));
  }
  return out;
}

describe("plain daily cadences answer as croner does (UTC)", () => {
  const ps = dailyPatterns(150);
  const ts = instants(40);

  test.each(ps)("%s: next slot and latest slot at every instant", (pattern) => {
    const slots = dailySlots(pattern);
    expect(slots).not.toBeNull();
    for (const t of ts) {
      expect({ t, next: dailyNext(slots as DaySlots, t) }).toEqual({
        t,
        next: cronerNext(pattern, t) as Date,
      });
      expect({ t, latest: dailyLatest(slots as DaySlots, t) }).toEqual({
        t,
        latest: cronerLatest(pattern, t) as Date,
      });
    }
  });

  test("an hour whose minutes are spent moves to the next listed hour, both ways, across midnight", () => {
    const slots = dailySlots("15,30 7,9 * * *") as DaySlots;
    const at = (iso: string) => new Date(`2026-03-01T${iso}Z`);
    expect(dailyNext(slots, at("07:45:00"))).toEqual(at("09:15:00"));
    expect(dailyLatest(slots, at("09:10:00"))).toEqual(at("07:30:00"));
    expect(dailyNext(slots, at("09:30:00"))).toEqual(new Date("2026-03-02T07:15:00Z"));
    expect(dailyLatest(slots, at("07:14:59"))).toEqual(new Date("2026-02-28T09:30:00Z"));
    expect(dailySlots("* * * * *")).toEqual({
      hours: Array.from({ length: 24 }, (_, i) => i),
      minutes: Array.from({ length: 60 }, (_, i) => i),
    });
  });

  test.each([
    "0 7 * * 1",
    "0 7 1 * *",
    "0 7 * 1 *",
    "0 0 7 * * *",
    "5/10 * * * *",
    "0 7 * * MON",
    "0 L * * *",
    "@daily",
    "0 7 ? * *",
  ])("%s is left to croner", (pattern) => {
    expect(dailySlots(pattern)).toBeNull();
  });
});

describe("numeric day, month and weekday fields answer as croner does (UTC)", () => {
  const ps = dayPatterns(150);
  const ts = instants(40);

  test.each(ps)("%s: next slot and latest slot at every instant", (pattern) => {
    const p = utcPattern(pattern);
    expect(p).not.toBeNull();
    if (!p) return;
    for (const t of ts) {
      // null hands the pattern to croner (nothing within nine years): then croner's answer stands
      const next = utcNext(p, t);
      if (next) expect({ t, next }).toEqual({ t, next: cronerNext(pattern, t) as Date });
      const latest = utcLatest(p, t);
      if (latest) expect({ t, latest }).toEqual({ t, latest: cronerLatest(pattern, t) as Date });
    }
  });

  test("a day that never comes is handed to croner, not answered", () => {
    const p = utcPattern("0 0 31 2 *");
    expect(p).not.toBeNull();
    expect(utcNext(p as NonNullable<typeof p>, new Date("2026-01-01T00:00:00Z"))).toBeNull();
  });

  test.each([
    "0 7 * * MON",
    "0 7 L * *",
    "0 7 ? * *",
    "0 0 7 * * *",
    "0 7 0 * *",
    "0 7 * 13 *",
    "0 7 * * 8",
    "0 7 * * 1#2",
    "@yearly",
  ])("%s is left to croner", (pattern) => {
    expect(utcPattern(pattern)).toBeNull();
  });
});
