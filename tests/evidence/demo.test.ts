import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../support/home.ts";

test("bun run demo shows its five live moments start to finish with no hand, and cleans up its home", async () => {
  const p = Bun.spawn([process.execPath, join(REPO, "scripts", "demo.ts")], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? "" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  const text = `${out}${err}`;
  expect(text).not.toContain("✗ NOT shown");
  expect(code).toBe(0);
  for (const m of [
    "a tick lands a digest in out/",
    "the primary model is broken and the fallback fires",
    "the cap is set tiny and the system halts",
    "the flag is touched and the next tick refuses",
    "the one-command kill",
  ])
    expect(text).toContain(`✓ shown: ${m}`);
  expect(text).toContain("Spend cap reached — halting.");
  expect(text).toContain("KILL flag present — refusing to run.");
  expect(text).toContain("demo: all 5 moments shown");
  const home = /afk demo — home (\S+)/.exec(text)?.[1] as string;
  expect(home).toBeDefined();
  expect(existsSync(home)).toBe(false);
}, 60_000);
