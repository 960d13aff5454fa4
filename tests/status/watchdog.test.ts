import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeTick } from "../../src/status/before-tick.ts";
import { statusSnapshot } from "../../src/status/snapshot.ts";
import { readTickTrace } from "../../src/trace/read.ts";
import { receiver, statusHome, tickAndHook } from "./helpers.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe("watchdog", () => {
  test("three ticks without value write out/ALERT.txt and post one notice; the next value clears both", async () => {
    const ntfy = receiver();
    cleanups.push(ntfy.stop);
    const h = statusHome({ AFK_ALERT_URL: `${ntfy.url}/afk-alerts` });
    cleanups.push(h.cleanup);
    const empty = h.app("empty");
    const alertPath = join(h.home, "out", "ALERT.txt");

    const first = await tickAndHook(empty);
    h.clock.advance(3_600_000);
    await tickAndHook(empty);
    expect(first.status).toBe("failed");
    expect(existsSync(alertPath)).toBe(false);
    expect(ntfy.seen).toHaveLength(0);

    h.clock.advance(3_600_000);
    const third = await tickAndHook(empty);
    expect(existsSync(alertPath)).toBe(true);
    const text = readFileSync(alertPath, "utf8");
    expect(text).toContain("no value for 3 ticks in a row");
    expect(text).toContain(`first tick without value: ${first.tickId}`);
    expect(text).toContain(`only ${third.items} new items (min_items 100)`);
    expect(text).toContain(`trace: ${third.tracePath}  (afk trace ${third.tickId})`);
    expect(ntfy.seen).toHaveLength(1);
    expect(ntfy.seen[0]).toMatchObject({ method: "POST", path: "/afk-alerts" });
    expect(ntfy.seen[0]?.title).toContain("no value for 3 ticks");
    expect(ntfy.seen[0]?.body).toBe(text);
    expect(statusSnapshot({ app: empty, db: empty.db(), handle: null }).alert).toMatchObject({
      active: true,
      file: "out/ALERT.txt",
      empty_ticks: 3,
    });

    // a fourth empty tick updates the file but does not notify again
    h.clock.advance(3_600_000);
    await tickAndHook(empty);
    expect(readFileSync(alertPath, "utf8")).toContain("no value for 4 ticks in a row");
    expect(ntfy.seen).toHaveLength(1);

    h.clock.advance(3_600_000);
    const ok = await tickAndHook(h.app("value"));
    expect(ok.valueMicros).toBeGreaterThan(0);
    expect(existsSync(alertPath)).toBe(false);
    expect(ntfy.seen).toHaveLength(2);
    expect(ntfy.seen[1]?.title).toContain("resolved");
    expect(ntfy.seen[1]?.body).toContain(ok.tickId);
    expect(statusSnapshot({ app: empty, db: empty.db(), handle: null }).alert.active).toBe(false);
    // the hook's own span sits in the tick's trace
    const names = readTickTrace(h.home, ok.tickId, ok.tracePath).map((r) => r.name);
    expect(names).toContain("after_tick");
    expect(names).toContain("watchdog.resolve");
    expect(names).toContain("alert.sent");
  });

  test("dead-man ping: the URL on success, /fail on failure", async () => {
    const hc = receiver();
    cleanups.push(hc.stop);
    const h = statusHome({ AFK_PING_URL: `${hc.url}/ping/abc` });
    cleanups.push(h.cleanup);
    await tickAndHook(h.app("value"));
    await tickAndHook(h.app("empty"));
    expect(hc.seen.map((s) => s.path)).toEqual(["/ping/abc", "/ping/abc/fail"]);
    expect(hc.seen[1]?.body).toContain("failed");
  });

  test("the optional /start ping goes to <url>/start and a dead ping URL only warns", async () => {
    const hc = receiver();
    cleanups.push(hc.stop);
    const h = statusHome({ AFK_PING_URL: `${hc.url}/ping/abc/` });
    cleanups.push(h.cleanup);
    await beforeTick(h.app("value"));
    expect(hc.seen.map((s) => `${s.method} ${s.path}`)).toEqual(["POST /ping/abc/start"]);
    const dead = statusHome({ AFK_PING_URL: "http://127.0.0.1:9/nothing" });
    cleanups.push(dead.cleanup);
    await beforeTick(dead.app("value"), 500);
    expect(dead.err.some((l) => l.startsWith("before-tick: start ping failed:"))).toBe(true);
  });

  test("a ping that hangs is cut at its timeout, becomes a trace event and a warning, and never throws", async () => {
    const hc = receiver({ hang: true });
    cleanups.push(hc.stop);
    const h = statusHome({ AFK_PING_URL: hc.url });
    cleanups.push(h.cleanup);
    // The receiver never answers: without the cut this would hang past the test's timeout.
    const s = await tickAndHook(h.app("value"), "schedule", { pingMs: 300, alertMs: 300 });
    expect(hc.seen).toHaveLength(1);
    expect(h.err.some((l) => l.startsWith("after-tick: ping failed:"))).toBe(true);
    const events = readTickTrace(h.home, s.tickId, s.tracePath).filter((r) => r.name === "ping.failed");
    expect(events).toHaveLength(1);
  });
});
