import { afterEach, describe, expect, test } from "bun:test";
import { run } from "../../src/cli/run.ts";
import { sampleSources, tempHome, testDeps, writeSpec } from "../support/home.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function home() {
  const h = tempHome("afk-trace-");
  cleanups.push(h.cleanup);
  return { dir: h.dir, t: testDeps(h.dir) };
}

describe("afk trace", () => {
  test("on a home with no ticks yet: nothing to show, one line saying so, exit 1 (as afk clock with no clock), not 2", async () => {
    const { t } = home();
    expect(await run(["trace"], t.deps)).toBe(1);
    expect([...t.out, ...t.err]).toEqual(["trace: the ledger has no ticks yet — afk tick runs one"]);
  });

  test("after a tick prints its tree, exit 0", async () => {
    const { dir, t } = home();
    const spec = writeSpec(dir, { sources: sampleSources(dir) });
    expect(await run(["tick", "--spec", spec], t.deps)).toBe(0);
    t.out.length = 0;
    expect(await run(["trace"], t.deps)).toBe(0);
    expect(t.out[0]).toMatch(/^tick \S+ · ok · manual · slot 2026-11-24T07:00:00\.000Z · /);
    expect(t.out.length).toBeGreaterThan(2);
  });

  test("a TICK_ID that names no tick is bad usage: exit 2 with the usage", async () => {
    const { t } = home();
    expect(await run(["trace", "t-nope"], t.deps)).toBe(2);
    expect(t.err.join("\n")).toContain("trace: no tick t-nope in the ledger");
  });
});
