import { describe, expect, test } from "bun:test";
import { parseRetryAfter } from "../../src/core/retry-after.ts";

const now = Date.parse("2026-11-24T07:00:00Z");

describe("Retry-After, read once for feeds and paid models", () => {
  test.each([
    ["delay-seconds", "2", 2000],
    ["a fraction of a second", "0.5", 500],
    ["an HTTP date 30 s ahead", "Tue, 24 Nov 2026 07:00:30 GMT", 30_000],
    ["an HTTP date already past is no wait", "Tue, 24 Nov 2026 06:00:00 GMT", 0],
    ["absent", null, null],
    ["empty", " ", null],
    ["unreadable", "soon", null],
    ["negative", "-5", null],
  ] as const)("%s", (_, value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
});
