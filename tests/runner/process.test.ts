import { describe, expect, test } from "bun:test";
import { ScaledClock } from "../../src/core/clock.ts";
import { realPorts } from "../../src/runner/process.ts";

describe("the real ports' alarm clock (waitUntil)", () => {
  test("wakes once the injected clock shows the time asked for, a scaled clock on its own time", async () => {
    const clock = new ScaledClock(new Date("2026-03-01T00:00:00Z"), 100_000);
    const ports = realPorts({ watchParent: false, clock });
    const at = new Date("2026-03-01T00:01:00Z"); // a clock minute: 0.6 ms of real time
    await ports.waitUntil(at, new AbortController().signal);
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(at.getTime());
  });

  test("a time already past, or a signal already aborted, resolves at once", async () => {
    const clock = new ScaledClock(new Date("2026-03-01T00:00:00Z"), 1);
    const ports = realPorts({ watchParent: false, clock });
    await ports.waitUntil(new Date("2026-02-28T00:00:00Z"), new AbortController().signal);
    const aborted = new AbortController();
    aborted.abort();
    await ports.waitUntil(new Date("2027-01-01T00:00:00Z"), aborted.signal);
    expect(clock.now().getTime()).toBeLessThan(new Date("2027-01-01T00:00:00Z").getTime());
  });

  test("an abort ends a wait for a slot a year away (longer than any one timer)", async () => {
    const clock = new ScaledClock(new Date("2026-03-01T00:00:00Z"), 1);
    const ports = realPorts({ watchParent: false, clock });
    const stop = new AbortController();
    const waiting = ports.waitUntil(new Date("2027-03-01T00:00:00Z"), stop.signal);
    stop.abort();
    await waiting;
    expect(clock.now().getUTCFullYear()).toBe(2026);
  });
});
