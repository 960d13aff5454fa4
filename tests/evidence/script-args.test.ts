import { expect, test } from "bun:test";
import { join } from "node:path";
import { bunSpawn } from "../../src/factory/spawn.ts";
import { REPO } from "../support/home.ts";

/** `bun run soak`, `demo` and `bench` as the README names them, given what a new user types first. */
test.each([
  ["soak", "--help", /^soak: Unknown option '--help'.*\nusage: bun run soak \[--days 14\]/],
  ["bench", "--help", /^bench: Unknown option '--help'.*\nusage: bun run bench \[--json\] \[--only STEP,…\]/],
  ["bench", "--only=nope", /^bench: --only: unknown step nope \(steps: idle, growth/],
  ["soak", "--days=zero", /^soak: --days must be a whole number ≥ 1/],
  ["demo", "--help", /^demo: Unknown option '--help'.*\nusage: bun run demo \[--pace SECONDS\] \[--keep\]/],
  ["demo", "--pace=soon", /^demo: --pace must be a number of seconds ≥ 0, got 'soon'\nusage: bun run demo/],
])(
  "bun run %s %s: one line (and the usage), exit 2, no stack trace, nothing started",
  async (script, arg, want) => {
    const entry = script === "bench" ? join(REPO, "bench", "run.ts") : join(REPO, "scripts", `${script}.ts`);
    const {
      exitCode: code,
      stdout: out,
      stderr: err,
    } = await bunSpawn([process.execPath, entry, arg], { cwd: REPO, env: { ...process.env } });
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(want);
    expect(err).not.toContain("    at ");
    expect(err.trim().split("\n").length).toBeLessThanOrEqual(2);
  },
);
