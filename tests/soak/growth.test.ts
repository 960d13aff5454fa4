import { describe, expect, test } from "bun:test";
import { growth } from "../../src/soak/invariants.ts";

const series = (generation: number, rss: number[]) =>
  rss.map((rssMb, i) => ({ generation, at: new Date(i * 7_200_000).toISOString(), rssMb, fds: 17 }));
const rssOf = (s: { rssMb: number }) => s.rssMb;

describe("memory growth within a serve process", () => {
  test("a garbage spike that is collected again is not growth", () => {
    const flat = series(1, [70, 78, 79, 104.5, 80, 81, 79, 80, 83, 82, 81, 83]);
    expect(growth(flat, rssOf)).toBeLessThan(5);
  });

  test("a steady leak is: 0.5 MB per sample over 48 samples reads as ~20 MB", () => {
    const leak = series(
      1,
      Array.from({ length: 48 }, (_, i) => 78 + i * 0.5),
    );
    expect(growth(leak, rssOf)).toBeGreaterThan(15);
  });

  test("the worst process counts, each measured against its own start", () => {
    const s = [...series(1, [70, 80, 80, 80, 80]), ...series(2, [70, 60, 62, 66, 70])];
    expect(growth(s, rssOf)).toBeCloseTo(10, 0);
  });

  test("a sawtooth (garbage piling up, then collected) is flat wherever the last sample falls", () => {
    const saw = Array.from({ length: 47 }, (_, i) => 80 + (i % 4) * 8);
    expect(growth(series(1, saw), rssOf)).toBe(0);
    expect(growth(series(1, [...saw, 110]), rssOf)).toBe(0);
  });

  test("a leak under the sawtooth still shows: every low rises", () => {
    const leaky = Array.from({ length: 48 }, (_, i) => 80 + (i % 4) * 8 + i * 0.5);
    expect(growth(series(1, leaky), rssOf)).toBeGreaterThan(15);
  });
});
