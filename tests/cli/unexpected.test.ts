import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "../../src/cli/command.ts";
import { buildContext } from "../../src/cli/context.ts";
import { run } from "../../src/cli/run.ts";
import { tempHome, testDeps, writeSpec } from "../support/home.ts";

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

  test("a secret in the error's message or stack is redacted in the trace record and the operator's line", async () => {
    const h = tempHome("afk-unexpected-");
    cleanups.push(h.cleanup);
    const secret = "prov-Zq81xKw0Lm27Vb55";
    const status = "st-tok-9f8e7d6c5b4a";
    const t = testDeps(h.dir, { MY_PROVIDER_CRED: secret, AFK_STATUS_TOKEN: status });
    const spec = writeSpec(h.dir, {
      sources: [{ id: "news", url: "feeds/news.xml" }],
      models: [
        '{ id: paid, kind: openai, base_url: "http://127.0.0.1:9/v1", model: m, api_key_env: MY_PROVIDER_CRED, usd_per_mtok_in: 1, usd_per_mtok_out: 1 }',
        "{ id: extractive, kind: extractive }",
      ],
    });
    // a command that builds its real context from the spec (so its redactor knows the key), then fails
    const leaky: Command = {
      name: "leaky",
      summary: "throws a secret",
      usage: "afk leaky",
      flags: { spec: { type: "string" } },
      run: async (args, deps) => {
        buildContext(args, deps);
        const inner = new Error(`upstream said: bad key ${secret} (token ${status})`);
        inner.stack = `Error: upstream said: bad key ${secret}\n    at call (key=${secret.slice(3)})\n    at tick`;
        throw inner;
      },
    };
    expect(await run(["leaky", "--spec", spec], t.deps, [leaky])).toBe(1);
    const line = t.err.join("\n");
    expect(line).toContain("afk leaky: internal error: upstream said: bad key [redacted]");
    const trace = readFileSync(join(h.dir, "runs", "2026-11-24", "trace.jsonl"), "utf8");
    const record = JSON.parse(trace.trim());
    expect(record.name).toBe("internal_error");
    expect(record.attrs.stack).toContain(
      "Error: upstream said: bad key [redacted]\n    at call (key=[redacted])",
    );
    for (const text of [line, trace]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(3));
      expect(text).not.toContain(status);
    }
  });
});
