import { describe, expect, test } from "bun:test";
import { switchPlan } from "../../src/soak/job-days.ts";
import { dayOf, defaultJobDays, FAULT_KINDS, parseJobDays, planFaults } from "../../src/soak/plan.ts";

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

describe("the soak's job days", () => {
  test("by default one window from the day after the middle to two days before the end; --job-days reads a range, a list or none", () => {
    expect(defaultJobDays(14)).toEqual([8, 9, 10, 11, 12]);
    expect(defaultJobDays(3)).toEqual([2]);
    expect(parseJobDays("8-12", 14)).toEqual([8, 9, 10, 11, 12]);
    expect(parseJobDays("1,4", 14)).toEqual([1, 4]);
    expect(parseJobDays("none", 14)).toEqual([]);
    expect(parseJobDays("0-2", 14)).toBeNull();
    expect(parseJobDays("12-15", 14)).toBeNull();
    expect(parseJobDays("x", 14)).toBeNull();
  });

  test.each([1, 2, 3])(
    "each active fault hits a digest day and a job day, the cap a whole day of each; passive ones start on digest days (seed %i)",
    (seed) => {
      const days = defaultJobDays(14);
      const plan = planFaults(DAY0, 15, FAULT_KINDS, seed, days);
      const dayOfFault = (f: { at: Date }) => dayOf(DAY0.getTime(), f.at);
      for (const kind of FAULT_KINDS.filter(
        (k) => !["source_503", "feed_shape", "source_renamed"].includes(k),
      )) {
        const on = plan.filter((f) => f.kind === kind).map((f) => days.includes(dayOfFault(f)));
        expect(on.sort()).toEqual([false, true]);
      }
      for (const f of plan.filter((x) => ["source_503", "feed_shape", "source_renamed"].includes(x.kind)))
        expect(days).not.toContain(dayOfFault(f));
    },
  );

  test("the three-day CI run puts its capped day on the job day and every other fault on digest days", () => {
    const kinds = ["sigkill_mid_tick", "host_down", "kill_flag", "cap_crossed"] as const;
    const plan = planFaults(DAY0, 4, kinds, 3, [1]);
    expect(plan.filter((f) => dayOf(DAY0.getTime(), f.at) === 1).map((f) => f.kind)).toEqual(["cap_crossed"]);
    expect(plan.map((f) => f.kind).sort()).toEqual([...kinds].sort());
  });

  test("the operator switches SPEC.md 40 minutes into a job day, and back 40 minutes into the next", () => {
    expect(
      switchPlan(DAY0, 15, [1, 4]).map((s) => [s.to, s.at.toISOString(), s.after.toISOString()]),
    ).toEqual([
      ["job", "2026-03-03T00:40:00.000Z", "2026-03-03T00:00:00.000Z"],
      ["digest", "2026-03-04T00:40:00.000Z", "2026-03-04T00:00:00.000Z"],
      ["job", "2026-03-06T00:40:00.000Z", "2026-03-06T00:00:00.000Z"],
      ["digest", "2026-03-07T00:40:00.000Z", "2026-03-07T00:00:00.000Z"],
    ]);
  });
});
