import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeVerifyCommand, type VerifyCommandOptions } from "../../src/cli/commands/verify.ts";
import { run } from "../../src/cli/run.ts";
import type { Deps } from "../../src/core/deps.ts";
import { REPO, tempHome, testDeps, writeSpec } from "../support/home.ts";
import { type LabHome, labHome } from "./lab-home.ts";

const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

/** A source tree with one seam test that passes or fails, so "tests pass" is proven by a real `bun test` child. */
function sourceTree(green: boolean): string {
  const t = tempHome("afk-verify-src-");
  cleanups.push(t.cleanup);
  mkdirSync(join(t.dir, "tests", "seams"), { recursive: true });
  writeFileSync(
    join(t.dir, "tests", "seams", "one.test.ts"),
    `import { expect, test } from "bun:test";\ntest("two and two", () => { expect(2 + 2).toBe(${green ? 4 : 5}); });\n`,
  );
  return t.dir;
}

async function verify(deps: Deps, args: string[], opts: VerifyCommandOptions = {}) {
  const out: string[] = [];
  const d: Deps = { ...deps, print: (l) => out.push(l) };
  const code = await run(["verify", ...args], d, [makeVerifyCommand(opts)]);
  return { code, out, line: (name: string) => out.find((l) => l.slice(2).startsWith(`${name}:`)) ?? "" };
}

function labDeps(lab: LabHome): Deps {
  return {
    clock: lab.clock,
    fetch: globalThis.fetch,
    env: lab.env,
    cwd: lab.dir,
    print: () => {},
    warn: () => {},
    pid: process.pid,
  };
}

/** The write-ups, from the shipped templates, filled in (the template markers removed). */
function writeUps(dir: string, retro: string[]) {
  for (const f of ["RETROSPECTIVE.md", "DEMO.md"]) {
    const template = readFileSync(join(REPO, "docs", f), "utf8");
    const filled = template
      .split("\n")
      .filter((l) => !l.includes("<!-- afk:template"))
      .join("\n")
      .replace("<!-- afk:retro -->", retro.join("\n"));
    writeFileSync(join(dir, f), filled);
  }
}

/** The kill tests, run for real once: `afk kill-test` stops live serve children and writes the evidence. */
let killEvidence = "";
beforeAll(async () => {
  const h = tempHome("afk-verify-kill-");
  cleanups.push(h.cleanup);
  const t = testDeps(h.dir);
  const code = await run(["kill-test"], t.deps);
  if (code !== 0) throw new Error(`afk kill-test failed:\n${t.out.join("\n")}\n${t.err.join("\n")}`);
  killEvidence = join(h.dir, "runs");
}, 60_000);

function killTests(dir: string) {
  mkdirSync(join(dir, "runs"), { recursive: true });
  for (const f of ["kill-test-1.md", "kill-test-2.md"])
    copyFileSync(join(killEvidence, f), join(dir, "runs", f));
}

describe("afk verify", () => {
  test("a fresh home fails, with a clear list of everything missing", async () => {
    const h = tempHome();
    cleanups.push(h.cleanup);
    const spec = writeSpec(h.dir, { sources: [{ id: "a", url: "feeds/a.xml" }] });
    const { deps } = testDeps(h.dir);
    const r = await verify(deps, ["--spec", spec], { sourceRoot: sourceTree(true) });
    expect(r.code).toBe(1);
    expect(r.line("tests")).toStartWith("✓ tests: 1 pass, 0 fail");
    expect(r.line("kill tests")).toBe(
      "✗ kill tests: runs/kill-test-1.md is missing; runs/kill-test-2.md is missing (afk kill-test writes them)",
    );
    expect(r.line("write-ups")).toContain("✗ write-ups: RETROSPECTIVE.md is missing");
    expect(r.line("write-ups")).toContain("DEMO.md is missing");
    expect(r.line("run log")).toBe("✗ run log: runs/run-log.md is missing (afk clock start)");
    expect(r.line("ledger")).toBe("✗ ledger: no ledger.sqlite (no tick has run here)");
    expect(r.line("unattended window")).toBe(
      "✗ unattended window: the clock was never started (afk clock start)",
    );
    expect(r.out.at(-1)).toBe(
      "verify: 5 of 6 checks failed: kill tests, write-ups, run log, ledger, unattended window",
    );
  });

  test("a home where the lab ran 16 mornings unattended, with every artifact, passes", async () => {
    const lab = await labHome({ days: 16, paidDays: [4], degradedDays: [9] });
    cleanups.push(lab.cleanup);
    lab.clock.set("2026-06-16T12:00:00Z");
    const retro: string[] = [];
    expect(await run(["retro", "--spec", lab.spec], { ...labDeps(lab), print: (l) => retro.push(l) })).toBe(
      0,
    );
    writeUps(lab.dir, retro);
    killTests(lab.dir);

    const r = await verify(labDeps(lab), ["--spec", lab.spec], { sourceRoot: sourceTree(true) });
    expect(r.out.filter((l) => l.startsWith("✗"))).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.line("run log")).toBe(
      "✓ run log: runs/run-log.md: Day 0 (2026-06-01) … Day 14 (2026-06-15), 15 days",
    );
    expect(r.line("ledger")).toBe("✓ ledger: 16 tick rows in ledger.sqlite");
    expect(r.line("unattended window")).toBe(
      "✓ unattended window: 15 consecutive days (2026-06-01 … 2026-06-15)",
    );
    expect(r.out.at(-1)).toBe("verify: all 6 checks hold");

    // On a host (no source tree) the binary's self-check stands in for the test run.
    const host = await verify(labDeps(lab), ["--spec", lab.spec, "--self-check"]);
    expect(host.code).toBe(0);
    expect(host.line("self-check")).toMatch(
      /^✓ self-check: spec \w+ .* valid, ledger integrity ok, \d+ migrations applied, home writable$/,
    );

    // A red test run is enough to fail it.
    const red = await verify(labDeps(lab), ["--spec", lab.spec], { sourceRoot: sourceTree(false) });
    expect(red.code).toBe(1);
    expect(red.line("tests")).toStartWith("✗ tests: 0 pass, 1 fail");
  }, 60_000);

  test("thirteen days, a manual tick in the middle, a failed kill test or an unfilled template each fail it", async () => {
    const short = await labHome({ days: 14 });
    cleanups.push(short.cleanup);
    short.clock.set("2026-06-14T12:00:00Z");
    const s = await verify(labDeps(short), ["--spec", short.spec, "--self-check"]);
    expect(s.code).toBe(1);
    expect(s.line("unattended window")).toBe(
      "✗ unattended window: 13 consecutive days (2026-06-01 … 2026-06-13); need at least 14 (clock Day 0 = 2026-06-01)",
    );
    expect(s.line("run log")).toBe(
      "✗ run log: runs/run-log.md: Day 0 (2026-06-01) … Day 12 (2026-06-13): 13 days, need at least 14",
    );

    // Day 8 is ticked by hand: an intervention splits the run into Day 0 … Day 7 and Day 9 … Day 16.
    const touched = await labHome({
      days: 18,
      beforeDay: async (d, h) => {
        if (d !== 8) return;
        const t = { ...labDeps(h), clock: h.clock };
        expect(await run(["tick", "--spec", h.spec, "--force"], t)).toBe(0);
      },
    });
    cleanups.push(touched.cleanup);
    touched.clock.set("2026-06-18T12:00:00Z");
    writeUps(touched.dir, []);
    killTests(touched.dir);
    const t = await verify(labDeps(touched), ["--spec", touched.spec, "--self-check"]);
    expect(t.code).toBe(1);
    expect(t.line("unattended window")).toBe(
      "✗ unattended window: 8 consecutive days (2026-06-01 … 2026-06-08); need at least 14 (clock Day 0 = 2026-06-01)",
    );
    expect(t.out.filter((l) => l.startsWith("✗")).length).toBe(1);

    // A kill test that failed is not evidence.
    const two = join(touched.dir, "runs", "kill-test-2.md");
    writeFileSync(two, readFileSync(two, "utf8").replace("Verdict: **PASS**", "Verdict: **FAIL**"));
    const k = await verify(labDeps(touched), ["--spec", touched.spec, "--self-check"]);
    expect(k.line("kill tests")).toBe(
      "✗ kill tests: runs/kill-test-2.md records a failed kill test (afk kill-test writes them)",
    );

    // The shipped template, copied but not filled in, is not a write-up.
    writeFileSync(join(touched.dir, "DEMO.md"), readFileSync(join(REPO, "docs", "DEMO.md")));
    const u = await verify(labDeps(touched), ["--spec", touched.spec, "--self-check"]);
    expect(u.line("write-ups")).toContain("✗ write-ups: DEMO.md is still the template");
  }, 60_000);
});
