import { describe, expect, test } from "bun:test";
import { COMMANDS } from "../../src/cli/commands.ts";
import { run } from "../../src/cli/run.ts";
import { systemClock } from "../../src/core/clock.ts";

describe("the command registry", () => {
  test.each(COMMANDS.map((c) => [c.name, c] as const))(
    "'%s' loads the command it names, with the summary afk help lists",
    async (name, entry) => {
      const cmd = await entry.load();
      expect(cmd.name).toBe(name);
      expect(cmd.summary).toBe(entry.summary);
      expect(cmd.usage).toStartWith(`afk ${name}`);
    },
  );

  test.each(COMMANDS.map((c) => [c.name, c] as const))(
    "'%s --help' names every flag the command takes (what afk <cmd> --help shows is what it accepts)",
    async (_, entry) => {
      const cmd = await entry.load();
      const missing = Object.keys(cmd.flags).filter((f) => !cmd.usage.includes(`--${f}`));
      expect(missing).toEqual([]);
    },
  );

  test("names are unique", () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  test("afk <command> --help prints the loaded command's usage and summary", async () => {
    const out: string[] = [];
    const deps = {
      clock: systemClock,
      fetch: globalThis.fetch,
      env: {},
      cwd: process.cwd(),
      print: (l: string) => out.push(l),
      warn: (l: string) => out.push(l),
      pid: process.pid,
    };
    expect(await run(["status", "--help"], deps)).toBe(0);
    const status = COMMANDS.find((c) => c.name === "status");
    expect(out).toEqual(["usage: afk status [--spec PATH] [--json]", status?.summary ?? "(no status entry)"]);
  });
});
