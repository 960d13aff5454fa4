import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseStrict } from "../../src/cli/args.ts";
import { run } from "../../src/cli/run.ts";
import { VERSION } from "../../src/cli/version.ts";
import { openDatabase } from "../../src/ledger/db.ts";
import { specCacheDir } from "../../src/spec/cache.ts";
import { specHash } from "../../src/spec/text.ts";
import { formatStatus } from "../../src/status/format.ts";
import { statusSnapshot } from "../../src/status/snapshot.ts";
import { statusHome, tickAndHook } from "../status/helpers.ts";

/**
 * `afk status` and `afk --version` start from a cached spec and a read-only ledger. Their output
 * must be what the ordinary path prints: the spec parsed, the ledger opened for writing.
 */
const h = statusHome();
afterAll(h.cleanup);

/** What `afk status [--json]` printed before the fast start: parse the spec, open the ledger writable. */
function ordinary(json: boolean): string[] {
  const app = h.app();
  const snapshot = statusSnapshot({ app, db: app.db(), handle: null });
  app.close();
  return json ? [JSON.stringify(snapshot, null, 2)] : formatStatus(snapshot);
}

async function cli(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { ...h.deps, print: (l) => out.push(l), warn: (l) => err.push(l) });
  return { code, out, err };
}

beforeAll(async () => {
  await tickAndHook(h.app("value"));
  h.clock.advance(60 * 60_000);
  await tickAndHook(h.app("empty"));
});

describe("fast start", () => {
  /** Opens the ledger for writing as tick and serve do, which stores the spec in the cache. */
  const warmCache = () => {
    const app = h.app();
    app.db();
    app.close();
  };

  test.each([false, true])(
    "afk status (json: %p) prints the ordinary output from a cold spec cache and a warm one, and writes none",
    async (json) => {
      rmSync(specCacheDir(h.home), { recursive: true, force: true });
      const argv = ["status", "--spec", h.specs.value, ...(json ? ["--json"] : [])];
      const cold = await cli(argv);
      expect(existsSync(specCacheDir(h.home))).toBe(false);
      warmCache();
      expect(readdirSync(specCacheDir(h.home))).toHaveLength(1);
      const warm = await cli(argv);
      const expected = ordinary(json);
      for (const r of [cold, warm]) expect(r).toEqual({ code: 0, out: expected, err: [] });
    },
  );

  test("afk --version prints the spec's hash and path, cold or warm, writing nothing; a spec edited to invalid says none loaded", async () => {
    rmSync(specCacheDir(h.home), { recursive: true, force: true });
    const text = readFileSync(h.specs.value, "utf8");
    const line = `afk ${VERSION} spec ${specHash(text)} (${h.specs.value})`;
    expect(await cli(["--version", "--spec", h.specs.value])).toEqual({ code: 0, out: [line], err: [] });
    expect(existsSync(specCacheDir(h.home))).toBe(false);
    warmCache();
    expect(await cli(["--version", "--spec", h.specs.value])).toEqual({ code: 0, out: [line], err: [] });
    try {
      writeFileSync(h.specs.value, text.replace("usd_per_unit: 2.5", "usd_per_unit: -2.5"));
      const none = `afk ${VERSION} spec (none loaded)`;
      expect(await cli(["--version", "--spec", h.specs.value])).toEqual({ code: 0, out: [none], err: [] });
    } finally {
      writeFileSync(h.specs.value, text);
    }
  });

  test("a ledger that needs work (a tick left running by a dead process) is opened the ordinary way: recovered and reported", async () => {
    const db = openDatabase(join(h.home, "ledger.sqlite"));
    db.run(
      "UPDATE ticks SET status = 'running', ended_at = NULL, pid = 2147483646 WHERE rowid = (SELECT max(rowid) FROM ticks)",
    );
    db.close();
    const r = await cli(["status", "--spec", h.specs.value]);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([
      expect.stringMatching(/^ledger: tick \S+ \(pid 2147483646\) was left running; closed as crashed$/),
    ]);
    expect(r.out).toContainEqual(expect.stringMatching(/^last tick \S+: crashed /));
  });
});

describe("plain argv skips node's parser and reads the same", () => {
  const { parseArgs: node } = require("node:util") as typeof import("node:util");
  const flags = { spec: { type: "string" as const }, json: { type: "boolean" as const } };
  test.each([
    [[]],
    [["--json"]],
    [["--spec", "a.md"]],
    [["--spec", "a.md", "--json"]],
    [["--json", "--spec", "x y"]],
  ])("%j", (argv: string[]) => {
    const ours = parseStrict(argv, flags, 0, "afk status");
    const theirs = node({
      args: argv,
      options: { ...flags, help: { type: "boolean", short: "h" } },
      strict: true,
    });
    const expected: Record<string, unknown> = { ...theirs.values };
    expect(Object.fromEntries(ours.values) as Record<string, unknown>).toEqual(expected);
    expect(ours.positionals).toEqual([]);
  });
});
