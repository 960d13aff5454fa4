import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/run.ts";
import { startAfk } from "../../src/evidence/afk-child.ts";
import { tempHome, testDeps } from "../support/home.ts";
import { childEnv, runnerSpec, startHoldingFeed, ticksIn } from "./helpers.ts";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("afk kill and afk arm", () => {
  test("afk kill creates the flag and stops the serve named in afk.pid mid-tick; afk arm removes the flag", async () => {
    const h = tempHome("afk-kill-");
    const feed = startHoldingFeed();
    cleanups.push(h.cleanup, feed.stop);
    const spec = runnerSpec(h.dir, feed.url);
    feed.hold();
    const serve = startAfk(["serve", "--spec", spec], { env: childEnv(h.dir, { TICK_SECONDS: "3600" }) });
    cleanups.push(serve.killTree);
    const out = serve.out;
    await feed.waitForRequests(1);
    expect(JSON.parse(readFileSync(join(h.dir, "afk.pid"), "utf8"))).toMatchObject({ pid: serve.pid });

    const t = testDeps(h.dir, { AFK_HOME: h.dir });
    expect(await run(["kill"], t.deps)).toBe(0);
    expect(existsSync(join(h.dir, "afk.kill"))).toBe(true);
    expect(t.out.join("\n")).toMatch(
      new RegExp(`afk serve pid ${serve.pid}: SIGTERM sent, exited after \\d+ ms`),
    );
    expect(await serve.exited).toBe(0);
    await out.done;
    expect(out.lines.at(-1)).toContain("exit 0");
    expect(ticksIn(h.dir).map((r) => r.status)).toEqual(["killed"]);
    expect(existsSync(join(h.dir, "afk.pid"))).toBe(false);

    // Armed again, a tick may run; still flagged, it would refuse.
    expect(await run(["arm"], t.deps)).toBe(0);
    expect(existsSync(join(h.dir, "afk.kill"))).toBe(false);
    expect(t.out.at(-1)).toContain("kill flag removed");
  });

  test("afk kill with no serve running still leaves the flag and says so", async () => {
    const h = tempHome("afk-kill-");
    cleanups.push(h.cleanup);
    const t = testDeps(h.dir);
    expect(await run(["kill"], t.deps)).toBe(0);
    expect(existsSync(join(h.dir, "afk.kill"))).toBe(true);
    expect(t.out.at(-1)).toContain("no afk serve running");
  });
});

describe("afk kill-test", () => {
  test("proves both mechanisms on live runners and writes the two evidence files", async () => {
    const h = tempHome("afk-kill-test-");
    cleanups.push(h.cleanup);
    const t = testDeps(h.dir, {}, new Date().toISOString());
    const code = await run(["kill-test"], t.deps);
    expect(t.out.join("\n")).not.toContain("✗");
    expect(code).toBe(0);
    const one = readFileSync(join(h.dir, "runs", "kill-test-1.md"), "utf8");
    const two = readFileSync(join(h.dir, "runs", "kill-test-2.md"), "utf8");
    expect(one).toContain("Verdict: **PASS**");
    expect(one).toContain("| refused_kill |");
    expect(two).toContain("SIGTERM mid-sleep");
    expect(two).toContain("| killed |");
    expect(two).toMatch(/time to exit \(whole tree gone\) \| \d+ ms/);
    expect(one).toContain("- [x] afk arm (flag removed) resumed it: the next slot ran");
  }, 60_000);
});
