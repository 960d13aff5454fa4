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
  test("an idle serve (next slot an hour away) refuses and stops at once when the flag appears", async () => {
    const { h, serve, out, flag } = startServe();
    await out.waitFor(/^next run /);
    writeFileSync(flag, "touched by hand\n");
    await out.waitFor(/^stopped: kill flag .* present/);
    expect(out.lines.join("\n")).toContain("KILL flag present — refusing to run.");
    expect(ticksIn(h.dir).at(-1)?.status).toBe("refused_kill");
    serve.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
  }, 30_000);

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
