import { describe, expect, test } from "bun:test";
import { exactTime, relativeTime } from "../../src/status/when.ts";

const NOW = new Date("2026-11-24T10:00:00Z");

describe("relativeTime says an instant the way an operator glances at it", () => {
  test.each([
    ["2026-11-24T09:59:40Z", "UTC", "just now"],
    ["2026-11-24T09:57:00Z", "UTC", "3 min ago"],
    ["2026-11-24T08:57:00Z", "UTC", "63 min ago"],
    ["2026-11-24T07:00:00Z", "UTC", "3 h ago"],
    ["2026-11-24T16:00:00Z", "UTC", "in 6 h"],
    ["2026-11-24T10:02:00Z", "UTC", "in 2 min"],
    ["2026-11-23T07:00:00Z", "UTC", "yesterday 07:00"],
    ["2026-11-25T07:00:00Z", "UTC", "tomorrow 07:00"],
    ["2026-11-20T07:00:00Z", "UTC", "2026-11-20 07:00"],
    // the wall clock is the spec's zone: 07:00 UTC is 08:00 in Berlin, and still yesterday there
    ["2026-11-23T07:00:00Z", "Europe/Berlin", "yesterday 08:00"],
    // 23:30 UTC on the 23rd is already 08:30 on the 24th in Tokyo: "today", not "yesterday"
    ["2026-11-23T23:30:00Z", "Asia/Tokyo", "today 08:30"],
    ["2026-11-23T15:30:00Z", "Asia/Tokyo", "today 00:30"],
  ])("%s in %s → %s", (at, tz, expected) => {
    expect(relativeTime(new Date(at), NOW, tz)).toBe(expected);
  });

  test("the exact time drops the milliseconds", () => {
    expect(exactTime(new Date("2026-12-02T01:54:56.195Z"))).toBe("2026-12-02T01:54:56Z");
  });
});
