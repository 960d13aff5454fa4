import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startAfk } from "../../src/evidence/afk-child.ts";
import { tempHome } from "../support/home.ts";
import { childEnv, runnerSpec, startHoldingFeed, ticksIn } from "./helpers.ts";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A real `afk serve` in a temp home whose only source is a loopback feed that can hold its answer. */
function startServe(o: { held?: boolean } = {}) {
  const h = tempHome("afk-flag-watch-");
  const feed = startHoldingFeed();
  if (o.held) feed.hold();
  cleanups.push(h.cleanup, feed.stop, feed.release);
  const spec = runnerSpec(h.dir, feed.url);
  const serve = startAfk(["serve", "--spec", spec], { env: childEnv(h.dir, { TICK_SECONDS: "3600" }) });
  cleanups.push(serve.killTree);
  return { h, feed, serve, out: serve.out, flag: join(h.dir, "afk.kill") };
}

// The flag is noticed by a file watch at once, by a 500 ms poll at worst (runner/flag-watch.ts).
// The tests' timeout (30 s, start-up on a loaded machine included) is far below what the old
// behaviour needs: an idle serve here would notice at its next slot, an hour away; the held fetch
// would end at the source's 60 s timeout.
describe("the kill flag reaches a serve at once", () => {
  test("an idle serve (next slot an hour away) stops at once when the flag appears; the slot that already ran gets no refused row", async () => {
    const { h, serve, out, flag } = startServe();
    await out.waitFor(/^next run /);
    const before = ticksIn(h.dir);
    expect(before.map((r) => r.status)).toEqual(["ok"]); // the catch-up tick of the current slot
    writeFileSync(flag, "touched by hand\n");
    await out.waitFor(/^stopped: kill flag .* present/);
    serve.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
    // one refused row per refused slot: this slot was not refused, it ran
    expect(ticksIn(h.dir).map((r) => `${r.slot} ${r.status}`)).toEqual([`${before[0]?.slot} ok`]);
  }, 30_000);

  test("serve started (and restarted) with the flag up: its slot is refused once, not once per start", async () => {
    const h = tempHome("afk-flag-restart-");
    const feed = startHoldingFeed();
    cleanups.push(h.cleanup, feed.stop, feed.release);
    const spec = runnerSpec(h.dir, feed.url);
    writeFileSync(join(h.dir, "afk.kill"), "touched by hand\n");
    for (let start = 1; start <= 2; start++) {
      const serve = startAfk(["serve", "--spec", spec], { env: childEnv(h.dir, { TICK_SECONDS: "3600" }) });
      cleanups.push(serve.killTree);
      await serve.out.waitFor(/^next run /);
      expect(serve.out.lines.some((l) => /^stopped: kill flag .* present/.test(l))).toBe(true);
      serve.kill("SIGTERM");
      expect(await serve.exited).toBe(0);
    }
    const rows = ticksIn(h.dir);
    expect(rows.map((r) => r.status)).toEqual(["refused_kill"]);
    expect(feed.received()).toBe(0);
  }, 60_000);

  test("a scheduled tick in flight when the flag appears: its slot has its killed row and no refused one besides", async () => {
    const h = tempHome("afk-flag-scheduled-");
    const feed = startHoldingFeed();
    cleanups.push(h.cleanup, feed.stop, feed.release);
    const spec = runnerSpec(h.dir, feed.url);
    const serve = startAfk(["serve", "--spec", spec], { env: childEnv(h.dir, { TICK_SECONDS: "5" }) });
    cleanups.push(serve.killTree);
    await serve.out.waitFor(/^next run /); // the catch-up tick has run; serve sleeps with the flag watched
    feed.hold();
    await feed.waitForRequests(2); // the next slot's tick is inside its fetch
    writeFileSync(join(h.dir, "afk.kill"), "touched by hand\n");
    await serve.out.waitFor(/^stopped: kill flag .* present/);
    serve.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
    const rows = ticksIn(h.dir);
    expect(rows.map((r) => r.status)).toContain("killed");
    const bySlot = new Map<string, string[]>();
    for (const r of rows) bySlot.set(r.slot, [...(bySlot.get(r.slot) ?? []), r.status]);
    for (const [slot, statuses] of bySlot)
      expect({ slot, statuses }).toEqual({ slot, statuses: [statuses[0] ?? ""] });
  }, 60_000);

  test("mid-tick, the flag aborts the fetch in flight: the row is killed and serve stops", async () => {
    const { h, feed, serve, out, flag } = startServe({ held: true });
    await feed.waitForRequests(1); // serve's catch-up tick is inside its fetch, held by the feed
    writeFileSync(flag, "touched by hand\n");
    await out.waitFor(/^stopped: kill flag .* present/);
    const rows = ticksIn(h.dir);
    expect(rows.map((r) => r.status)).toEqual(["killed"]);
    expect(rows[0]?.reason).toContain("appeared; the work in flight was aborted");
    serve.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
  }, 30_000);
});
