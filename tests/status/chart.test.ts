import { describe, expect, test } from "bun:test";
import { niceMax } from "../../src/status/chart.tsx";

describe("the chart's axis top is a short dollar amount", () => {
  test.each([
    [0, 100_000],
    [2_500_000, 5_000_000],
    [7_500_000, 10_000_000],
    [125_000_000, 200_000_000],
    [100_001, 200_000],
  ])("%d µ$ → %d µ$", (micros, top) => {
    expect(niceMax(micros)).toBe(top);
  });
});
