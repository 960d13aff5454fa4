import { describe, expect, test } from "bun:test";
import { minimaSlope, slope, slopeError, steadyMinimaSlope } from "../../src/soak/trend.ts";

const line = (n: number, f: (x: number) => number) => Array.from({ length: n }, (_, x) => ({ x, y: f(x) }));

describe("the trend of a memory series", () => {
  test("the least-squares slope of a straight line is its slope", () => {
    expect(slope(line(10, (x) => 3 + 0.25 * x))).toBeCloseTo(0.25, 10);
    expect(slope([{ x: 1, y: 5 }])).toBe(0);
  });

  test("the slope's standard error is 0 on a straight line and grows with the scatter around it", () => {
    expect(slopeError(line(10, (x) => 3 + 0.25 * x))).toBeCloseTo(0, 10);
    const zigzag = (amp: number) => line(20, (x) => 100 + (x % 2 ? amp : -amp));
    expect(slopeError(zigzag(1))).toBeGreaterThan(0);
    expect(slopeError(zigzag(4))).toBeCloseTo(4 * slopeError(zigzag(1)), 10);
    expect(slopeError(line(2, (x) => x))).toBe(0);
  });

  test("per-window minima ignore collected garbage: a sawtooth over a flat floor has slope 0", () => {
    const saw = line(400, (x) => 60 + (x % 25) * 0.4);
    expect(minimaSlope(saw, 50).slope).toBeCloseTo(0, 10);
    expect(slope(saw.slice(0, 390))).not.toBe(0); // a plain fit over a cut sawtooth drifts
  });

  test("a leak lifts every window's low: 0.5 MB per 1,000 ticks reads as such", () => {
    const leak = line(5000, (x) => 60 + (x % 97) * 0.05 + x * 0.0005);
    const { slope: s, minima } = minimaSlope(leak, 250);
    expect(minima).toHaveLength(20);
    expect(s * 1000).toBeCloseTo(0.5, 1);
  });

  test("the shared method leaves out the first window: a warm-up rise then a flat floor reads 0, a leak still reads", () => {
    const warmThenFlat = line(5000, (x) => (x < 250 ? 90 + x * 0.1 : 115) + (x % 97) * 0.05);
    expect(minimaSlope(warmThenFlat, 250).slope * 1000).toBeGreaterThan(1);
    expect(steadyMinimaSlope(warmThenFlat, 250).slope * 1000).toBeCloseTo(0, 1);
    const warmThenLeak = line(5000, (x) => (x < 250 ? 90 + x * 0.1 : 115 + x * 0.002) + (x % 97) * 0.05);
    const { slope: s, minima } = steadyMinimaSlope(warmThenLeak, 250);
    expect(minima).toHaveLength(19);
    expect(s * 1000).toBeCloseTo(2, 1);
  });
});
