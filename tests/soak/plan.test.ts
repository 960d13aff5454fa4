import { describe, expect, test } from "bun:test";
import { FAULT_KINDS, planFaults } from "../../src/soak/plan.ts";

const DAY0 = new Date("2026-03-02T00:00:00Z");
const HOUR = 3_600_000;

describe("the soak's fault plan", () => {
  test("the same seed gives the same plan, another seed another one", () => {
    const a = planFaults(DAY0, 15, FAULT_KINDS, 7);
    expect(planFaults(DAY0, 15, FAULT_KINDS, 7)).toEqual(a);
    expect(planFaults(DAY0, 15, FAULT_KINDS, 8)).not.toEqual(a);
  });

  test("every kind is placed once, inside the run, between two hourly slots", () => {
    const plan = planFaults(DAY0, 15, FAULT_KINDS, 1);
    expect(plan.map((f) => f.kind).sort()).toEqual([...FAULT_KINDS].sort());
    for (const f of plan) {
      expect(f.at.getTime()).toBeGreaterThan(DAY0.getTime());
      expect(f.at.getTime()).toBeLessThan(DAY0.getTime() + 15 * 24 * HOUR);
      expect(f.at.getUTCMinutes()).toBe(20);
    }
  });

  test.each([1, 2, 3, 4, 5])(
    "active faults never share a half-day, and the cap has its day alone (seed %i)",
    (seed) => {
      const plan = planFaults(DAY0, 15, FAULT_KINDS, seed);
      const passive = new Set(["source_503", "feed_shape", "source_renamed"]);
      const cells = plan
        .filter((f) => !passive.has(f.kind))
        .flatMap((f) => {
          const day = Math.floor((f.at.getTime() - DAY0.getTime()) / (24 * HOUR));
          return f.kind === "cap_crossed"
            ? [`${day}:0`, `${day}:1`]
            : [`${day}:${f.at.getUTCHours() < 12 ? 0 : 1}`];
        });
      expect(new Set(cells).size).toBe(cells.length);
      const cap = plan.find((f) => f.kind === "cap_crossed");
      expect(cap?.at.getUTCHours()).toBeGreaterThanOrEqual(9);
      expect(cap?.at.getUTCHours()).toBeLessThanOrEqual(11);
    },
  );

  test("a run too short for its faults is refused rather than overlapped", () => {
    expect(() => planFaults(DAY0, 1, FAULT_KINDS, 1)).toThrow(/soak plan/);
  });
});
