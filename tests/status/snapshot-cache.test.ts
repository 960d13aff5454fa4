import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunnerHandle } from "../../src/runner/handle.ts";
import { createStatusApp } from "../../src/status/app.tsx";
import { clockStepMs } from "../../src/status/snapshot-cache.ts";
import type { StatusSnapshot } from "../../src/status/snapshot-view.ts";
import { ALERT_FILE } from "../../src/status/watchdog.ts";
import { statusHome, testHandle, tickAndHook } from "./helpers.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A status app over the `value` spec whose handle counts how often the snapshot was built. */
function setup(opts: { env?: Record<string, string>; now?: string; timezone?: string } = {}) {
  const h = statusHome(opts.env, opts.now, opts.timezone);
  cleanups.push(h.cleanup);
  const app = h.app("value");
  const runner = testHandle();
  let builds = 0;
  let nextRun: Date | null = new Date("2026-11-25T07:00:00Z");
  const handle: RunnerHandle = {
    ...runner.handle,
    nextRun: () => nextRun,
    // asked once per build (the runner's answer depends on the ledger and the clock only)
    lastDueSlotHandled: () => {
      builds++;
      return runner.handle.lastDueSlotHandled();
    },
  };
  const web = createStatusApp({ app, handle });
  const status = async () => (await (await web.request("/status.json")).json()) as StatusSnapshot;
  return {
    h,
    app,
    runner,
    status,
    builds: () => builds,
    setNextRun: (at: Date | null) => {
      nextRun = at;
    },
  };
}

describe("GET /status.json serves the last snapshot until something it reads changes", () => {
  test("nothing changed: no rebuild, yet generated_at is the current time", async () => {
    const { h, app, status, builds } = setup();
    await tickAndHook(app);
    const first = await status();
    const built = builds();
    h.clock.advance(250); // same second: no field can have moved
    const again = await status();
    expect(builds()).toBe(built);
    expect(again.generated_at).toBe("2026-11-24T07:00:00.250Z");
    expect({ ...again, generated_at: first.generated_at }).toEqual(first);
  });

  test("a tick written through the same connection shows on the next request", async () => {
    const { app, status } = setup();
    const before = await status();
    expect(before.last_tick).toBeNull();
    expect(before.today.ticks).toBe(0);
    const tick = await tickAndHook(app); // the clock does not move: only the ledger changed
    const after = await status();
    expect(after.last_tick?.id).toBe(tick.tickId);
    expect(after.today.ticks).toBe(1);
    expect(after.today.value_micros).toBe(2_500_000);
  });

  test("a tick committed by another connection (another process) shows on the next request", async () => {
    const { h, status } = setup();
    expect((await status()).last_tick).toBeNull();
    const tick = await tickAndHook(h.app("value"));
    const after = await status();
    expect(after.last_tick?.id).toBe(tick.tickId);
    expect(after.today.ticks).toBe(1);
  });

  test("a ledger reopened after another process wrote is read again, though its counters start over", async () => {
    const { h, app, status } = setup();
    const writer = h.app("value");
    writer.db(); // migrated before the page opens it, so the page's connection writes nothing
    expect((await status()).last_tick).toBeNull();
    app.close(); // the next request opens a fresh connection: same data_version, same total_changes
    const tick = await tickAndHook(writer);
    expect((await status()).last_tick?.id).toBe(tick.tickId);
  });

  test("a kill flag created, then removed, shows on the next request each time", async () => {
    const { app, status } = setup();
    expect((await status()).kill.present).toBe(false);
    writeFileSync(app.host.killFlag, "stop\n");
    expect((await status()).kill.present).toBe(true);
    rmSync(app.host.killFlag);
    expect((await status()).kill.present).toBe(false);
  });

  test("the alert file written by the watchdog shows on the next request", async () => {
    const { h, status } = setup();
    expect((await status()).alert.file).toBeNull();
    mkdirSync(join(h.home, "out"), { recursive: true });
    writeFileSync(join(h.home, ALERT_FILE), "no value for 3 ticks\n");
    expect((await status()).alert.file).toBe(ALERT_FILE);
  });

  test("the runner stopping or moving its next run shows on the next request", async () => {
    const { runner, status, setNextRun } = setup();
    expect((await status()).runner?.alive).toBe(true);
    runner.state.alive = false;
    expect((await status()).runner?.alive).toBe(false);
    setNextRun(new Date("2026-11-26T07:00:00Z"));
    expect((await status()).next_run).toEqual({ at: "2026-11-26T07:00:00.000Z", from: "runner" });
    setNextRun(null);
    expect((await status()).next_run).toEqual({ at: null, from: "runner" });
  });

  test("at midnight (ManualClock) today turns over: a new day with nothing spent", async () => {
    const { h, app, status } = setup({ now: "2026-11-24T23:59:59.900Z" });
    await tickAndHook(app);
    const late = await status();
    expect(late.today).toMatchObject({ day: "2026-11-24", ticks: 1, value_micros: 2_500_000 });
    h.clock.set("2026-11-25T00:00:00.000Z");
    const next = await status();
    expect(next.today).toEqual({
      day: "2026-11-25",
      ticks: 0,
      by_status: {},
      spend_micros: 0,
      spend_usd: 0,
      value_micros: 0,
      value_usd: 0,
    });
    expect(next.last_tick?.id).toBe(late.last_tick?.id as string);
  });

  test("the day turns at the spec's midnight, not UTC's (Asia/Kolkata, +05:30)", async () => {
    const { h, status } = setup({ now: "2026-11-24T18:29:59.999Z", timezone: "Asia/Kolkata" });
    expect((await status()).today.day).toBe("2026-11-24");
    h.clock.set("2026-11-24T18:30:00.000Z");
    expect((await status()).today.day).toBe("2026-11-25");
  });

  test("with no runner, next_run moves on as soon as the clock reaches the slot", async () => {
    const { h, app } = setup({ now: "2026-11-24T06:59:59.999Z" });
    const web = createStatusApp({ app, handle: null });
    const nextRun = async () =>
      ((await (await web.request("/status.json")).json()) as StatusSnapshot).next_run;
    expect(await nextRun()).toEqual({ at: "2026-11-24T07:00:00.000Z", from: "cadence" });
    h.clock.set("2026-11-24T07:00:00.000Z");
    expect(await nextRun()).toEqual({ at: "2026-11-25T07:00:00.000Z", from: "cadence" });
  });

  test("in loop mode (TICK_SECONDS=1.25), next_run moves on every slot, a quarter second apart in the second", async () => {
    const { h, app } = setup({ env: { TICK_SECONDS: "1.25" }, now: "2026-11-24T07:00:00.100Z" });
    const web = createStatusApp({ app, handle: null });
    const nextRun = async () =>
      ((await (await web.request("/status.json")).json()) as StatusSnapshot).next_run;
    expect(await nextRun()).toEqual({ at: "2026-11-24T07:00:01.250Z", from: "tick_seconds" });
    h.clock.set("2026-11-24T07:00:01.250Z");
    expect(await nextRun()).toEqual({ at: "2026-11-24T07:00:02.500Z", from: "tick_seconds" });
  });
});

describe("clockStepMs: the clock step inside which time alone changes nothing", () => {
  test.each([
    [undefined, 1000],
    [60, 1000],
    [90, 1000],
    [1.5, 500],
    [0.25, 250],
    [0.007, 1],
  ] as const)("TICK_SECONDS=%p → %p ms", (tickSeconds, step) => {
    expect(clockStepMs(tickSeconds)).toBe(step);
  });
});
