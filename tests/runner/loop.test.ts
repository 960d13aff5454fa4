import { afterEach, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "../../src/cli/args.ts";
import { buildContext } from "../../src/cli/context.ts";
import type { TickEnv } from "../../src/runner/guarded.ts";
import type { LoopOutcome, Runner } from "../../src/runner/loop.ts";
import { everySeconds } from "../../src/spec/slots.ts";
import { tempHome, testDeps } from "../support/home.ts";
import { runnerSpec, spentEarlierToday, startHoldingFeed, startInProcessRunner, ticksIn } from "./helpers.ts";

/** The scheduler loop with an injected clock: `waitUntil` is the test's hand on time, so nothing waits for a cadence. */

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The test's hand on each sleep; a Date returned is when the loop wakes instead (a late wake-up, under load). */
type OnWait = (
  at: Date,
  n: number,
  runner: Runner,
) => void | Date | Promise<void> | Promise<Date | undefined>;

interface SetupOptions {
  maxTickSeconds?: number;
  env?: Record<string, string>;
  models?: string[];
  harness?: TickEnv["harness"];
  graceMs?: number;
  /** The clock's start (default 2026-11-24T07:00:00Z). */
  now?: string;
}

function setup(o: SetupOptions = {}) {
  const h = tempHome("afk-loop-");
  const feed = startHoldingFeed();
  cleanups.push(h.cleanup, feed.stop);
  const spec = runnerSpec(h.dir, feed.url, {
    ...(o.maxTickSeconds ? { maxTickSeconds: o.maxTickSeconds } : {}),
    ...(o.models ? { models: o.models } : {}),
  });
  const t = testDeps(h.dir, o.env ?? {}, o.now ?? "2026-11-24T07:00:00Z");
  const start = (onWait: OnWait): { runner: Runner; waits: Date[]; done: Promise<LoopOutcome> } => {
    const waits: Date[] = [];
    const runner = startInProcessRunner({
      spec,
      deps: t.deps,
      schedule: everySeconds(600), // every 10 minutes: slots at 07:00, 07:10, …
      async waitUntil(at, r) {
        waits.push(at);
        const late = await onWait(at, waits.length, r);
        t.clock.set(late ?? at);
      },
      ...(o.harness ? { harness: o.harness } : {}),
      ...(o.graceMs ? { graceMs: o.graceMs } : {}),
    });
    return { runner, waits, done: runner.done };
  };
  return { dir: h.dir, feed, t, start, spec };
}

/** Resolves once the runner prints a line containing `part` (a tick's line comes after its row closed). */
function printed(deps: { print: (l: string) => void }, part: string): Promise<void> {
  const print = deps.print;
  return new Promise((resolve) => {
    deps.print = (l) => {
      print(l);
      if (l.includes(part)) resolve();
    };
  });
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

  test("several slots due during the catch-up tick: the latest runs, each one between gets its own row saying so", async () => {
    const s = setup();
    s.feed.hold(); // the 07:00 catch-up tick waits in its fetch…
    const ran = printed(s.t.deps, "[schedule 2026-11-24T07:30:00.000Z]");
    const { waits, done } = s.start(async (_at, n, r) => {
      if (n !== 1) return;
      await ran;
      r.requestStop("test over");
    });
    await s.feed.waitForRequests(1);
    s.t.clock.set("2026-11-24T07:35:00Z"); // …while the clock passes 07:10, 07:20 and 07:30
    s.feed.release();
    expect((await done).exitCode).toBe(0);
    const rows = ticksIn(s.dir);
    expect(rows.map((r) => `${r.trigger} ${r.slot.slice(11, 16)} ${r.status}`)).toEqual([
      "catchup 07:00 ok",
      "schedule 07:10 skipped_overlap",
      "schedule 07:20 skipped_overlap",
      "schedule 07:30 quiet", // it ran: the feed's items were delivered at 07:00
    ]);
    for (const r of rows.filter((x) => x.status === "skipped_overlap")) {
      expect(r.reason).toContain("the catch-up of 2026-11-24T07:00:00.000Z ran");
      expect(r.reason).toContain("superseded by the slot 2026-11-24T07:30:00.000Z");
    }
    expect(waits[0]?.toISOString()).toBe("2026-11-24T07:40:00.000Z");
  });

  test("a wake-up later than the next slot: the slots it slept through get their rows, the latest runs", async () => {
    const s = setup();
    const ran = printed(s.t.deps, "[schedule 2026-11-24T07:30:00.000Z]");
    const { done } = s.start(async (at, n, r) => {
      if (n === 1) return new Date("2026-11-24T07:31:00Z"); // due 07:10, woke after 07:30
      await ran;
      r.requestStop("test over");
      return at;
    });
    expect((await done).exitCode).toBe(0);
    const rows = ticksIn(s.dir);
    expect(rows.map((r) => `${r.trigger} ${r.slot.slice(11, 16)} ${r.status}`)).toEqual([
      "catchup 07:00 ok",
      "schedule 07:10 skipped_overlap",
      "schedule 07:20 skipped_overlap",
      "schedule 07:30 quiet", // it ran: the feed's items were delivered at 07:00
    ]);
    expect(rows[1]?.reason).toContain("woke after a later slot was due");
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

  test("the kill flag appearing while it sleeps: each slot is refused, serve stays up, afk arm resumes at the next slot", async () => {
    const s = setup();
    const armed = printed(s.t.deps, "[schedule 2026-11-24T07:30:00.000Z]");
    const { runner, done } = s.start(async (_at, n, r) => {
      if (n === 1) writeFileSync(join(s.dir, "afk.kill"), "");
      if (n === 3) rmSync(join(s.dir, "afk.kill"));
      if (n === 4) {
        await armed;
        r.requestStop("test over");
      }
    });
    expect(await done).toEqual({ exitCode: 0, reason: "test over" });
    expect(runner.alive()).toBe(false);
    const rows = ticksIn(s.dir).map((r) => `${r.slot.slice(11, 16)} ${r.status}`);
    expect(rows.slice(0, 3)).toEqual(["07:00 ok", "07:10 refused_kill", "07:20 refused_kill"]);
    // Armed again, the 07:30 tick ran its pipeline (the feed saw its fetch; its items were seen already).
    expect(rows[3]).not.toBe("07:30 refused_kill");
    expect(s.feed.received()).toBe(2);
    expect(s.t.out).toContain("KILL flag present — refusing to run.");
    expect(s.t.out.some((l) => l.startsWith("stopped: kill flag"))).toBe(true);
    expect(s.t.out).toContain("resumed: ticks run again");
  });

  test("spend at the cap: halted at once, serve stays up, and the first slot of the next day delivers with no person acting", async () => {
    const s = setup({ env: { SPEND_CAP_USD: "1" }, now: "2026-11-24T23:35:00Z" });
    // $2 already spent today (2026-11-24, UTC), as a settled paid call of an earlier tick.
    const app = buildContext(parseArgs(["tick", "--spec", s.spec]), s.t.deps);
    spentEarlierToday(app.db(), 2_000_000);
    app.close();
    // The next day's first slot: stop once its tick line is printed (after its row closed).
    const nextDay = printed(s.t.deps, "[schedule 2026-11-25T00:00:00.000Z]");
    const { done } = s.start(async (at, _n, r) => {
      if (at.toISOString() !== "2026-11-25T00:10:00.000Z") return;
      await nextDay;
      r.requestStop("test over");
    });
    expect(await done).toEqual({ exitCode: 0, reason: "test over" });
    const rows = ticksIn(s.dir).filter((r) => r.id !== "t-earlier");
    expect(rows.map((r) => `${r.day} ${r.slot.slice(11, 16)} ${r.status}`)).toEqual([
      "2026-11-24 23:30 halted_cap",
      "2026-11-24 23:40 halted_cap",
      "2026-11-24 23:50 halted_cap",
      "2026-11-25 00:00 ok",
    ]);
    expect(s.t.out).toContain("Spend cap reached — halting.");
    expect(s.t.out).toContain("halted: spend cap reached; resumes by itself at 2026-11-25T00:00:00.000Z");
    expect(s.t.out).toContain("resumed: ticks run again");
    // The notice goes out once per capped day, on its first refused slot.
    expect(s.t.out.filter((l) => l.startsWith("notice: ")).length).toBe(1);
  });

  test("halted at the cap with the clock jumping more than a slot per wake-up: every slot of the capped day gets its halted_cap row", async () => {
    const s = setup({ env: { SPEND_CAP_USD: "1" }, now: "2026-11-24T21:35:00Z" });
    const app = buildContext(parseArgs(["tick", "--spec", s.spec]), s.t.deps);
    spentEarlierToday(app.db(), 2_000_000);
    app.close();
    const { done } = s.start((at, _n, r) => {
      if (at.getTime() >= Date.parse("2026-11-24T23:00:00Z")) r.requestStop("test over");
      return new Date(at.getTime() + 25 * 60_000); // each wake-up 25 minutes late: two slots per wake
    });
    expect(await done).toEqual({ exitCode: 0, reason: "test over" });
    const rows = ticksIn(s.dir).filter((r) => r.id !== "t-earlier");
    // One row per slot from 21:30 to the last one reached, none skipped, none twice.
    const slots = rows.map((r) => Date.parse(r.slot)).sort((a, b) => a - b);
    expect(rows[0]?.slot).toBe("2026-11-24T21:30:00.000Z");
    expect(slots.slice(1).map((t, k) => t - (slots[k] as number))).toEqual(slots.slice(1).map(() => 600_000));
    expect(rows.length).toBeGreaterThanOrEqual(10);
    expect(rows.every((r) => r.status === "halted_cap")).toBe(true);
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
