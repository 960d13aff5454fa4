import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/run.ts";
import { statusHome, tickAndHook } from "./helpers.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const DAY = 86_400_000;

function runLog(home: string): string[] {
  return readFileSync(join(home, "runs", "run-log.md"), "utf8")
    .trimEnd()
    .split("\n");
}

async function cli(h: ReturnType<typeof statusHome>, argv: string[]) {
  h.out.length = 0;
  const code = await run([...argv, "--spec", h.specs.empty], h.deps);
  return { code, out: [...h.out] };
}

describe("run log", () => {
  test("Day lines appear as the injected clock crosses days; a manual tick is an intervention", async () => {
    const h = statusHome({}, "2026-11-24T06:00:00Z");
    cleanups.push(h.cleanup);
    expect((await cli(h, ["clock", "start"])).code).toBe(0);
    expect(runLog(h.home)).toEqual(["Day 0: 2026-11-24 — clock started at 06:00 UTC"]);
    expect((await cli(h, ["clock", "start"])).out[0]).toContain("not restarted");
    expect(runLog(h.home)).toHaveLength(1);

    const app = h.app("empty");
    h.clock.set("2026-11-24T07:00:00Z");
    const d0 = await tickAndHook(app);
    expect(runLog(h.home)).toHaveLength(1); // Day 0 is not over yet

    h.clock.set("2026-11-25T07:00:00Z");
    await tickAndHook(app);
    let log = runLog(h.home);
    expect(log[1]).toBe("Day 0: 2026-11-24 — 1 tick (failed 1), value $0.00, spend $0.00; unattended");
    expect(log[2]).toBe(`  - failed ${d0.tickId}: ${d0.reason} — trace ${d0.tracePath}`);

    h.clock.set("2026-11-25T09:30:00Z");
    const manual = await tickAndHook(app, "manual");
    log = runLog(h.home);
    expect(log.at(-1)).toBe(`Intervention: 2026-11-25 09:30 UTC — manual tick ${manual.tickId} ended failed`);

    for (const day of ["2026-11-26", "2026-11-27", "2026-11-28"]) {
      h.clock.set(`${day}T07:00:00Z`);
      await tickAndHook(app);
    }
    log = runLog(h.home);
    const dayLines = log.filter((l) => l.startsWith("Day "));
    expect(dayLines.map((l) => l.slice(0, 17))).toEqual([
      "Day 0: 2026-11-24",
      "Day 0: 2026-11-24",
      "Day 1: 2026-11-25",
      "Day 2: 2026-11-26",
      "Day 3: 2026-11-27",
    ]);
    expect(dayLines[2]).toContain("2 ticks (failed 2)");
    expect(dayLines[2]).toEndWith("; intervention");
    expect(log).toContain(`  - intervention: manual tick ${manual.tickId}`);
    expect(dayLines[3]).toEndWith("; unattended");

    // Day 3 and Day 2 ran alone; Day 1 had a hand on it
    expect((await cli(h, ["clock"])).out[0]).toStartWith("2 consecutive unattended days");

    // two days later with no tick in between: the silent day is written down and breaks the streak
    h.clock.advance(2 * DAY);
    await tickAndHook(app);
    log = runLog(h.home);
    expect(log.filter((l) => l.startsWith("Day 5: 2026-11-29"))).toEqual([
      "Day 5: 2026-11-29 — no ticks although a slot was due (runner down?); attention needed",
    ]);
    expect((await cli(h, ["clock"])).out[0]).toStartWith("0 consecutive unattended days");
  });

  test("the day boundary follows the spec's time zone, not UTC", async () => {
    const h = statusHome({}, "2026-11-24T09:00:00Z", "Pacific/Auckland"); // 22:00 in Auckland
    cleanups.push(h.cleanup);
    await cli(h, ["clock", "start"]);
    expect(runLog(h.home)).toEqual(["Day 0: 2026-11-24 — clock started at 22:00 Pacific/Auckland"]);
    const app = h.app("empty");
    h.clock.set("2026-11-24T10:30:00Z"); // 23:30 local, same day
    await tickAndHook(app);
    expect(runLog(h.home)).toHaveLength(1);
    h.clock.set("2026-11-24T11:30:00Z"); // 00:30 local on the 25th; still the 24th in UTC
    await tickAndHook(app);
    expect(runLog(h.home)[1]).toStartWith("Day 0: 2026-11-24 — 1 tick (failed 1)");
  });
});
