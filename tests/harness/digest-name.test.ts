import { describe, expect, test } from "bun:test";
import { isRepeatedWallTime, utcOffsetMinutes } from "../../src/core/clock.ts";
import { digestFileName } from "../../src/harness/digest-name.ts";

const spec = (timezone: string) => ({ spec: { name: "infra-digest", timezone } });
const hourly = (fromIso: string, hours: number) =>
  Array.from({ length: hours }, (_, i) => new Date(Date.parse(fromIso) + i * 3_600_000));

describe("a file per slot instant", () => {
  test("New York's fall-back night: every hourly slot has its own name; only the repeated hour carries the offset", () => {
    // 2026-11-01: 01:00 EDT (05:00Z) and 01:00 EST (06:00Z) are both 01:00 on the wall
    const names = hourly("2026-11-01T03:00:00Z", 5).map((s) => digestFileName(spec("America/New_York"), s));
    expect(names).toEqual([
      "infra-digest-2026-10-31-2300.md",
      "infra-digest-2026-11-01-0000.md",
      "infra-digest-2026-11-01-0100-0400.md",
      "infra-digest-2026-11-01-0100-0500.md",
      "infra-digest-2026-11-01-0200.md",
    ]);
  });

  test("half-hour slots through the repeated hour stay unique, and spring-forward changes no name", () => {
    const fall = Array.from(
      { length: 8 },
      (_, i) => new Date(Date.parse("2026-11-01T04:00:00Z") + i * 1_800_000),
    );
    const fallNames = fall.map((s) => digestFileName(spec("America/New_York"), s));
    expect(new Set(fallNames).size).toBe(fall.length);
    // 2026-03-08: 02:00–03:00 does not exist in New York; nothing is repeated, no offset appears
    const spring = hourly("2026-03-08T05:00:00Z", 4).map((s) => digestFileName(spec("America/New_York"), s));
    expect(spring).toEqual([
      "infra-digest-2026-03-08-0000.md",
      "infra-digest-2026-03-08-0100.md",
      "infra-digest-2026-03-08-0300.md",
      "infra-digest-2026-03-08-0400.md",
    ]);
  });

  test.each([
    ["UTC", "2026-11-01T06:00:00Z", "infra-digest-2026-11-01-0600.md"],
    ["Europe/Berlin", "2026-10-25T00:30:00Z", "infra-digest-2026-10-25-0230+0200.md"],
    ["Europe/Berlin", "2026-10-25T01:30:00Z", "infra-digest-2026-10-25-0230+0100.md"],
    ["Australia/Lord_Howe", "2026-04-04T14:45:00Z", "infra-digest-2026-04-05-0145+1100.md"],
    ["Australia/Lord_Howe", "2026-04-04T15:15:00Z", "infra-digest-2026-04-05-0145+1030.md"],
    ["Asia/Kolkata", "2026-11-01T06:00:00Z", "infra-digest-2026-11-01-1130.md"],
  ])("%s at %s is %s", (tz, at, name) => {
    expect(digestFileName(spec(tz), new Date(at))).toBe(name);
  });

  test("the offset and the repeated-hour test agree with the zone data", () => {
    expect(utcOffsetMinutes(new Date("2026-07-01T12:00:00Z"), "America/New_York")).toBe(-240);
    expect(utcOffsetMinutes(new Date("2026-12-01T12:00:00Z"), "Asia/Kolkata")).toBe(330);
    expect(isRepeatedWallTime(new Date("2026-11-01T05:59:00Z"), "America/New_York")).toBe(true);
    expect(isRepeatedWallTime(new Date("2026-11-01T07:00:00Z"), "America/New_York")).toBe(false);
  });
});
