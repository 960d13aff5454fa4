import { expect, test } from "bun:test";
import { join } from "node:path";
import { REPO } from "../support/home.ts";

/** `bun run soak` as the README prints it, given what a new user types first. */
test.each([
  ["--help", /^soak: Unknown option '--help'.*\nusage: bun run soak \[--days 14\]/],
  ["--days=zero", /^soak: --days must be a whole number ≥ 1/],
])("bun run soak %s: one line (and the usage), exit 2, no stack trace", async (arg, want) => {
  const p = Bun.spawn([process.execPath, join(REPO, "scripts", "soak.ts"), arg], {
    cwd: REPO,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  expect(code).toBe(2);
  expect(out).toBe("");
  expect(err).toMatch(want);
  expect(err).not.toContain("    at ");
  expect(err.trim().split("\n").length).toBeLessThanOrEqual(2);
});
