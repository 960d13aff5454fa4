import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "../../src/cli/command.ts";
import { run } from "../../src/cli/run.ts";
import { tempHome, testDeps } from "../support/home.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function throwing(err: unknown): Command {
  return {
    name: "boom",
    summary: "throws",
    usage: "afk boom",
    flags: {},
    run: async () => {
      throw err;
    },
  };
}

describe("an unexpected error", () => {
  test("prints one line naming what failed and where the stack is; the stack goes to the trace; exit 1", async () => {
    const h = tempHome("afk-unexpected-");
    cleanups.push(h.cleanup);
    const t = testDeps(h.dir);
    const code = await run(["boom"], t.deps, [throwing(new TypeError("x is not a function"))]);
    expect(code).toBe(1);
    expect(t.err).toHaveLength(1);
    const line = t.err[0] ?? "";
    expect(line).toContain("afk boom: internal error: x is not a function");
    expect(line).not.toContain("    at ");
    const path = /stack in (\S+) \(record (\S+)\)/.exec(line);
    expect(path?.[1]).toBe(join(h.dir, "runs", "2026-11-24", "trace.jsonl"));
    const record = JSON.parse(readFileSync(path?.[1] ?? "", "utf8").trim());
    expect(record).toMatchObject({ tick: path?.[2], name: "internal_error", attrs: { command: "boom" } });
    expect(record.attrs.stack).toContain("TypeError: x is not a function\n    at ");
  });

  test("a disk or ledger fault is exit 5 with its fix", async () => {
    const h = tempHome("afk-unexpected-");
    cleanups.push(h.cleanup);
    const t = testDeps(h.dir);
    const full = Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
    expect(await run(["boom"], t.deps, [throwing(full)])).toBe(5);
    expect(t.err).toHaveLength(1);
    expect(t.err[0]).toContain(
      "afk boom: failed: the disk holding the ledger is full (SQLITE_FULL) — fix: free space",
    );
  });
});
