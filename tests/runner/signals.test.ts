import { afterEach, describe, expect, test } from "bun:test";
import { startAfk } from "../../src/evidence/afk-child.ts";
import { tempHome } from "../support/home.ts";
import { childEnv, processTree, runnerSpec, startHoldingFeed, stillListed, ticksIn } from "./helpers.ts";

/**
 * Mechanism 2 (the process) on real `afk serve` children: SIGTERM mid-tick and mid-sleep end
 * the runner within 5 s with nothing left in the process table; SIGKILL leaves a running row
 * that the next start closes `crashed` and catches up once.
 */

const EXIT_BUDGET_MS = 5000;
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup() {
  const h = tempHome("afk-signals-");
  const feed = startHoldingFeed();
  cleanups.push(h.cleanup, feed.stop);
  // Hourly slots: the latest one is always within catch_up_hours, so a fresh serve ticks at once.
  const spec = runnerSpec(h.dir, feed.url);
  return { dir: h.dir, feed, spec, env: childEnv(h.dir, { TICK_SECONDS: "3600" }) };
}

function spawnServe(s: ReturnType<typeof setup>, via: "bun" | "bun run" = "bun") {
  const launcher = via === "bun run" ? { launcher: [process.execPath, "run", "afk"] } : {};
  const proc = startAfk(["serve", "--spec", s.spec], { env: s.env, ...launcher });
  cleanups.push(proc.killTree);
  return { proc, out: proc.out };
}

/** Sends `signal`, then waits (bounded) until every process of the tree is gone; returns ms taken. */
async function killTree(pid: number, signal: "SIGTERM" | "SIGKILL", exited: Promise<number>) {
  const tree = processTree(pid);
  const t0 = performance.now();
  process.kill(pid, signal);
  await exited;
  // The top process is reaped; its children are reaped by it or by init: look until the budget ends.
  while (stillListed(tree).length > 0 && performance.now() - t0 < EXIT_BUDGET_MS) await Bun.sleep(20);
  return { ms: performance.now() - t0, tree, left: stillListed(tree) };
}

describe("SIGTERM ends a live runner", () => {
  test("mid-tick: gone within 5 s, no process left, the tick's row closed killed", async () => {
    const s = setup();
    s.feed.hold();
    const { proc } = spawnServe(s);
    await s.feed.waitForRequests(1); // the catch-up tick is inside its fetch
    const r = await killTree(proc.pid, "SIGTERM", proc.exited);
    expect(r.ms).toBeLessThan(EXIT_BUDGET_MS);
    expect(r.left).toEqual([]);
    expect(proc.exitCode).toBe(0);
    const rows = ticksIn(s.dir);
    expect(rows.map((x) => x.status)).toEqual(["killed"]);
    expect(rows[0]?.reason).toContain("SIGTERM");
  });

  test("mid-sleep: gone within 5 s, no process left, no row left running", async () => {
    const s = setup();
    const { proc, out } = spawnServe(s);
    await out.waitFor(/^tick .*\[catchup/); // the first tick closed
    await out.waitFor(/^next run /); // and the runner sleeps until the next hour
    const r = await killTree(proc.pid, "SIGTERM", proc.exited);
    expect(r.ms).toBeLessThan(EXIT_BUDGET_MS);
    expect(r.left).toEqual([]);
    expect(proc.exitCode).toBe(0);
    const rows = ticksIn(s.dir);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).not.toBe("running");
  });

  test("the lab's way: `bun run afk serve &` then kill $PID ends the script runner and afk under it", async () => {
    const s = setup();
    s.feed.hold();
    const { proc } = spawnServe(s, "bun run");
    await s.feed.waitForRequests(1);
    const r = await killTree(proc.pid, "SIGTERM", proc.exited);
    expect(r.tree.length).toBeGreaterThanOrEqual(2); // bun run, and bun src/main.ts under it
    expect(r.ms).toBeLessThan(EXIT_BUDGET_MS);
    expect(r.left).toEqual([]);
    expect(ticksIn(s.dir).map((x) => x.status)).toEqual(["killed"]);
  });

  test("SIGKILL of the `bun run` wrapper: afk notices its parent is gone and stops too", async () => {
    const s = setup();
    s.feed.hold();
    const { proc } = spawnServe(s, "bun run");
    await s.feed.waitForRequests(1);
    const r = await killTree(proc.pid, "SIGKILL", proc.exited);
    expect(r.left).toEqual([]);
    expect(r.ms).toBeLessThan(EXIT_BUDGET_MS);
    expect(ticksIn(s.dir).map((x) => x.status)).toEqual(["killed"]);
  });
});

describe("SIGKILL mid-tick, then restart", () => {
  test("the row is closed crashed at the next start and the slot is caught up once", async () => {
    const s = setup();
    s.feed.hold();
    const first = spawnServe(s);
    await s.feed.waitForRequests(1);
    await killTree(first.proc.pid, "SIGKILL", first.proc.exited);
    expect(ticksIn(s.dir).map((x) => x.status)).toEqual(["running"]);

    s.feed.release();
    const second = spawnServe(s);
    await second.out.waitFor(/^tick .*\[catchup/);
    await second.out.waitFor(/^next run /);
    await killTree(second.proc.pid, "SIGTERM", second.proc.exited);

    const rows = ticksIn(s.dir);
    expect(rows[0]?.status).toBe("crashed");
    const caughtUp = rows.filter((x) => x.pid === second.proc.pid);
    expect(caughtUp).toHaveLength(1);
    expect(caughtUp[0]?.trigger).toBe("catchup");
    expect(caughtUp[0]?.status).toBe("ok");
  });
});
