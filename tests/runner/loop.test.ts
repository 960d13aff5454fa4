import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "../../src/cli/args.ts";
import { buildContext } from "../../src/cli/context.ts";
import type { TickEnv } from "../../src/runner/guarded.ts";
import { type LoopOutcome, type Runner, startRunner } from "../../src/runner/loop.ts";
import type { RunnerPorts } from "../../src/runner/ports.ts";
import { pidAlive } from "../../src/runner/process.ts";
import { everySeconds } from "../../src/runner/schedule.ts";
import { tempHome, testDeps } from "../support/home.ts";
import { runnerSpec, startHoldingFeed, ticksIn } from "./helpers.ts";

/** The scheduler loop with an injected clock: `waitUntil` is the test's hand on time, so nothing waits for a cadence. */

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type OnWait = (at: Date, n: number, runner: Runner) => void | Promise<void>;

interface SetupOptions {
  maxTickSeconds?: number;
  env?: Record<string, string>;
  models?: string[];
  harness?: TickEnv["harness"];
  graceMs?: number;
}

function setup(o: SetupOptions = {}) {
  const h = tempHome("afk-loop-");
  const feed = startHoldingFeed();
  cleanups.push(h.cleanup, feed.stop);
  const spec = runnerSpec(h.dir, feed.url, {
    ...(o.maxTickSeconds ? { maxTickSeconds: o.maxTickSeconds } : {}),
    ...(o.models ? { models: o.models } : {}),
  });
  const t = testDeps(h.dir, o.env ?? {}, "2026-11-24T07:00:00Z");
  const start = (onWait: OnWait): { runner: Runner; waits: Date[]; done: Promise<LoopOutcome> } => {
    const app = buildContext(parseArgs(["serve", "--spec", spec]), t.deps);
    cleanups.push(() => app.close());
    const waits: Date[] = [];
    const ports: RunnerPorts = {
      isAlive: pidAlive,
      signal: () => false,
      onStop: () => () => {},
      async waitUntil(at) {
        waits.push(at);
        await onWait(at, waits.length, runner);
        t.clock.set(at);
      },
      after: (ms, fn) => {
        const timer = setTimeout(fn, ms);
        return () => clearTimeout(timer);
      },
      exitWithin: () => {},
    };
    // Every 10 minutes: slots at 07:00, 07:10, …
    const runner = startRunner({
      app,
      ports,
      session: crypto.randomUUID(),
      schedule: everySeconds(600),
      ...(o.harness ? { harness: o.harness } : {}),
      ...(o.graceMs ? { graceMs: o.graceMs } : {}),
    });
    return { runner, waits, done: runner.done };
  };
  return { dir: h.dir, feed, t, start };
}

describe("the scheduler loop", () => {
  test("ticks on each slot the clock reaches and sleeps in between", async () => {
    const s = setup();
    const { waits, done } = s.start((_at, n, r) => {
      if (n === 3) r.requestStop("test over");
    });
    expect(await done).toEqual({ exitCode: 0, reason: "test over" });
    expect(waits.map((w) => w.toISOString())).toEqual([
      "2026-11-24T07:10:00.000Z",
      "2026-11-24T07:20:00.000Z",
      "2026-11-24T07:30:00.000Z",
    ]);
    const rows = ticksIn(s.dir);
    expect(rows.map((r) => `${r.trigger} ${r.slot.slice(11, 16)}`)).toEqual([
      "catchup 07:00",
      "schedule 07:10",
      "schedule 07:20",
    ]);
  });

  test("a tick past max_tick_seconds is closed timeout and the runner goes on", async () => {
    const s = setup({ maxTickSeconds: 0.2 });
    s.feed.hold(); // the catch-up tick's fetch never answers
    const { done } = s.start((_at, n, r) => {
      s.feed.release();
      if (n === 2) r.requestStop("test over");
    });
    expect((await done).exitCode).toBe(0);
    const rows = ticksIn(s.dir);
    expect(rows[0]?.status).toBe("timeout");
    expect(rows[0]?.reason).toContain("max_tick_seconds");
    expect(rows[1]?.trigger).toBe("schedule");
    expect(rows[1]?.status).not.toBe("timeout");
  });

  test("a slot that comes due during the catch-up tick runs right after it, not never", async () => {
    const s = setup();
    s.feed.hold(); // the 07:00 catch-up tick waits in its fetch…
    const { waits, done } = s.start((_at, n, r) => {
      if (n === 1) r.requestStop("test over");
    });
    await s.feed.waitForRequests(1);
    s.t.clock.set("2026-11-24T07:12:00Z"); // …while the clock passes the 07:10 slot
    s.feed.release();
    expect((await done).exitCode).toBe(0);
    expect(ticksIn(s.dir).map((r) => `${r.trigger} ${r.slot.slice(11, 16)}`)).toEqual([
      "catchup 07:00",
      "schedule 07:10",
    ]);
    expect(waits[0]?.toISOString()).toBe("2026-11-24T07:20:00.000Z");
  });

  test("a slot that comes due while its predecessor runs is recorded skipped_overlap", async () => {
    const s = setup();
    const { done } = s.start(async (_at, n, r) => {
      if (n === 1) s.feed.hold(); // the 07:10 tick will hang in its fetch
      if (n === 2) await s.feed.waitForRequests(2); // …and is in flight when 07:20 comes due
      if (n === 3) {
        s.feed.release();
        r.requestStop("test over");
      }
    });
    await done;
    const rows = ticksIn(s.dir);
    const skipped = rows.find((r) => r.status === "skipped_overlap");
    expect(skipped?.slot).toBe("2026-11-24T07:20:00.000Z");
    expect(skipped?.reason).toContain(rows[1]?.id as string);
    expect(rows).toHaveLength(3);
    expect(rows.some((r) => r.status === "running")).toBe(false);
  });

  test("requestStop (a signal, POST /kill) aborts the tick in flight: row killed, exit 0", async () => {
    const s = setup();
    s.feed.hold();
    const { runner, done } = s.start(() => {});
    await s.feed.waitForRequests(1);
    expect(runner.alive()).toBe(true);
    runner.requestStop("POST /kill");
    expect(await done).toEqual({ exitCode: 0, reason: "POST /kill" });
    expect(runner.alive()).toBe(false);
    const [row] = ticksIn(s.dir);
    expect(row?.status).toBe("killed");
    expect(row?.reason).toContain("POST /kill");
  });

  test("the kill flag appearing while it sleeps: the next tick refuses and the runner stops with 0", async () => {
    const s = setup();
    const { done } = s.start(() => {
      writeFileSync(join(s.dir, "afk.kill"), "");
    });
    expect(await done).toEqual({ exitCode: 0, reason: "kill flag present" });
    expect(ticksIn(s.dir).map((r) => r.status)).toEqual(["ok", "refused_kill"]);
  });

  test("spend over the cap at start: halted at once with exit 3, before any sleep", async () => {
    const s = setup({
      env: { SPEND_CAP_USD: "0.0001" },
      models: [
        '{ id: paid, kind: openai, base_url: "http://127.0.0.1:9/v1", model: "m", api_key_env: "K", usd_per_mtok_in: 1, usd_per_mtok_out: 1 }',
        "{ id: extractive, kind: extractive }",
      ],
    });
    const { waits, done } = s.start(() => {});
    expect(await done).toEqual({ exitCode: 3, reason: "spend cap reached" });
    expect(waits).toEqual([]);
    expect(s.t.out).toContain("Spend cap reached — halting.");
    expect(ticksIn(s.dir).map((r) => r.status)).toEqual(["halted_cap"]);
    expect(s.feed.received()).toBe(0);
  });

  test("a tick that ignores its abort: after the grace the runner closes its row killed itself and stops", async () => {
    let reached: () => void = () => {};
    const inFetch = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const s = setup({
      graceMs: 100,
      // A fetch that never settles and never looks at its signal.
      harness: {
        fetchSources: () => {
          reached();
          return new Promise(() => {});
        },
      },
    });
    const { runner, done } = s.start(() => {});
    await inFetch;
    runner.requestStop("SIGTERM");
    expect(await done).toEqual({ exitCode: 0, reason: "SIGTERM" });
    const [row] = ticksIn(s.dir);
    expect(row?.status).toBe("killed");
    expect(row?.reason).toContain("did not end within 100 ms");
    expect(s.t.err.join("\n")).toContain("closed as killed");
  });

  test("the handle the status page reads: next run, and whether the last due slot has a row", async () => {
    const s = setup();
    const seen: unknown[] = [];
    const { done } = s.start((_at, _n, r) => {
      seen.push(r.nextRun()?.toISOString(), r.lastDueSlotHandled());
      s.t.clock.set("2026-11-24T07:25:00Z"); // the 07:10 and 07:20 slots came and nothing ran them
      seen.push(r.lastDueSlotHandled());
      r.requestStop("test over");
    });
    await done;
    expect(seen).toEqual([
      "2026-11-24T07:10:00.000Z",
      { ok: true },
      { ok: false, reason: "slot 2026-11-24T07:20:00.000Z was due and has no ledger row" },
    ]);
  });
});
