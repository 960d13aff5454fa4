import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { COMMANDS } from "../../src/cli/commands.ts";
import { run } from "../../src/cli/run.ts";
import { tempHome, testDeps } from "../support/home.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function home() {
  const h = tempHome("afk-args-");
  cleanups.push(h.cleanup);
  return h.dir;
}

describe("every command's flags are strict", () => {
  test("a typo in a flag (afk tick --spce my.md) is exit 2 with tick's usage, and nothing runs", async () => {
    const dir = home();
    const t = testDeps(dir);
    expect(await run(["tick", "--spce", "my.md"], t.deps)).toBe(2);
    expect(t.err.join("\n")).toContain("afk tick: unknown flag '--spce'");
    expect(t.err.join("\n")).toContain("usage: afk tick [--spec PATH]");
    expect(t.out).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  test.each(COMMANDS.map((c) => [c.name] as const))(
    "afk %s --no-such-flag is exit 2 naming the flag, with the command's usage",
    async (name) => {
      const t = testDeps(home());
      expect(await run([name, "--no-such-flag"], t.deps)).toBe(2);
      const err = t.err.join("\n");
      expect(err).toContain(`afk ${name}: unknown flag '--no-such-flag'`);
      expect(err).toContain(`usage: afk ${name}`);
      expect(t.out).toEqual([]);
    },
  );

  test.each(COMMANDS.map((c) => [c.name] as const))(
    "afk %s with one word more than it takes is exit 2 naming the stray word",
    async (name) => {
      const cmd = await COMMANDS.find((c) => c.name === name)?.load();
      const words = [...Array((cmd?.positionals ?? 0) + 1)].map((_, i) => `stray${i}`);
      const t = testDeps(home());
      expect(await run([name, ...words], t.deps)).toBe(2);
      expect(t.err.join("\n")).toContain(`afk ${name}: unexpected argument 'stray${words.length - 1}'`);
    },
  );

  test("a flag that needs a value and has none, or a switch given a value, is exit 2", async () => {
    const t = testDeps(home());
    expect(await run(["status", "--spec"], t.deps)).toBe(2);
    expect(await run(["status", "--json=yes"], t.deps)).toBe(2);
    expect(t.err.join("\n")).toContain("afk status: --spec needs a value");
    expect(t.err.join("\n")).toContain("afk status: --json takes no value");
  });

  test("flags a command does take still work, before or after its name", async () => {
    const dir = home();
    const t = testDeps(dir);
    expect(await run(["status", "--help"], t.deps)).toBe(0);
    expect(await run(["--version"], t.deps)).toBe(0);
    expect(t.out.at(-1)).toStartWith("afk ");
    expect(await run(["--frobnicate"], t.deps)).toBe(2);
    expect(existsSync(join(dir, "ledger.sqlite"))).toBe(false);
  });
});
