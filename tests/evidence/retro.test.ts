import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { run } from "../../src/cli/run.ts";
import type { Deps } from "../../src/core/deps.ts";
import { formatUsd } from "../../src/core/money.ts";
import { normaliseReason } from "../../src/evidence/incidents.ts";
import { fixedUsd } from "../../src/evidence/retro-figures.ts";
import { writeRecord } from "../../src/factory/record.ts";
import { type LabHome, labHome } from "./lab-home.ts";

let lab: LabHome;
beforeAll(async () => {
  // 16 mornings: free on the local model, the paid tier on days 3 and 11 (primary broken),
  // extractive on day 7 (primary broken and the paid account out of quota).
  lab = await labHome({
    days: 16,
    paidDays: [3, 11],
    degradedDays: [7],
    beforeDay: (d, h) => {
      // Between the two paid days, a build from a changed spec: the "fix" for day 3.
      if (d === 5) buildRecord(h, "2026-06-06T12:00:00Z", "---\nname: lab-digest-v2\n---\n");
      if (d === 6) buildRecord(h, "2026-06-07T12:00:00Z", "---\nname: lab-digest-v3\n---\n", false);
    },
  });
  lab.clock.set("2026-06-17T09:00:00Z");
}, 60_000);
afterAll(() => lab.cleanup());

/** A factory build record, written by the factory's own writer. */
function buildRecord(h: LabHome, at: string, specText: string, built = true) {
  writeRecord(join(h.dir, "runs"), {
    at: new Date(at),
    version: "0.0.0-test",
    specPath: "SPEC.md",
    specText,
    target: "linux-x64",
    gate: {
      command: ["bun", "test", "tests/seams"],
      passed: built,
      exitCode: built ? 0 : 1,
      pass: built ? 4 : 3,
      fail: built ? 0 : 1,
      summary: "Ran 4 tests across 4 files.",
      ms: 1000,
      tail: [],
    },
    embedded: [],
    binary: built ? { path: "dist/afk", bytes: 1, sha256: "0".repeat(64), ms: 1 } : undefined,
    binaryName: "dist/afk",
    commit: undefined,
  });
}

async function retro(args: string[] = []) {
  const out: string[] = [];
  const err: string[] = [];
  const deps: Deps = {
    clock: lab.clock,
    fetch: globalThis.fetch,
    env: lab.env,
    cwd: lab.dir,
    print: (l) => out.push(l),
    warn: (l) => err.push(l),
    pid: process.pid,
  };
  const code = await run(["retro", "--spec", lab.spec, ...args], deps);
  return { code, out, err, text: out.join("\n") };
}

/** The lab's query, run by the plain sqlite3 client as a real process. */
async function labSql(since: string): Promise<string> {
  const sql = `SELECT count(*) ticks, round(sum(usd_in),4) usd_in, round(sum(value_usd),2) value_out FROM ledger WHERE ts >= '${since}'`;
  const p = Bun.spawn(["sqlite3", join(lab.dir, "ledger.sqlite"), sql], { stdout: "pipe", stderr: "pipe" });
  const [out, code] = [await new Response(p.stdout).text(), await p.exited];
  expect(code).toBe(0);
  return out.trim();
}

function sqlRow(since: string) {
  const db = new Database(join(lab.dir, "ledger.sqlite"), { readonly: true });
  try {
    return db
      .query<{ ticks: number; usd_in: number; value_out: number }, [string]>(
        "SELECT count(*) ticks, round(sum(usd_in),4) usd_in, round(sum(value_usd),2) value_out FROM ledger WHERE ts >= ?",
      )
      .get(since);
  } finally {
    db.close();
  }
}

describe("afk retro: dollars spent vs value captured", () => {
  test("its figures match the lab's SQL over the same ledger (whole window and from a later day)", async () => {
    for (const since of [undefined, "2026-06-09"]) {
      const r = await retro(since ? ["--since", since] : []);
      expect(r.code).toBe(0);
      const window = /ts >= '([^']+)'/.exec(r.text)?.[1] as string;
      expect(window).toBe(since ?? "2026-06-01T06:00:00.000Z");
      // The row retro prints under the query is the row sqlite3 prints.
      const printed = r.out[r.out.findIndex((l) => l.startsWith("sqlite3 ledger.sqlite")) + 1];
      expect(printed).toBe(await labSql(window));
      // And the prose figures carry the same numbers.
      const sql = sqlRow(window);
      expect(sql).not.toBeNull();
      const ticks = Number(/\*\*Ticks:\*\* (\d+)/.exec(r.text)?.[1]);
      const usdIn = Number(/\*\*Dollars in:\*\* \$[\d.]+ \(([\d.]+) USD\)/.exec(r.text)?.[1]);
      const value = Number(/\*\*Value out:\*\* \$([\d.]+)/.exec(r.text)?.[1]);
      expect(ticks).toBe(sql?.ticks as number);
      expect(usdIn).toBe(sql?.usd_in as number);
      expect(value).toBe(sql?.value_out as number);
      expect(ticks).toBeGreaterThan(0);
    }
  });

  test("the path is read from the calls: mixed when the paid tier stood in for a broken local model", async () => {
    const r = await retro();
    expect(r.text).toContain("**Path that ran:** mixed");
    const db = new Database(join(lab.dir, "ledger.sqlite"), { readonly: true });
    const paid = db
      .query<{ n: number; c: number }, []>(
        "SELECT count(*) n, sum(cost_micros) c FROM calls WHERE state <> 'free'",
      )
      .get();
    const shadow = db.query<{ s: number }, []>("SELECT sum(shadow_micros) s FROM calls").get();
    db.close();
    // Days 3 and 11 were billed; day 7's attempt was refused for quota and settled at $0.
    expect(paid?.n).toBe(3);
    expect(paid?.c).toBeGreaterThan(0);
    expect(r.text).toMatch(/\(\d+ free calls, 3 paid\)/);
    expect(r.text).toContain(`would have cost ${formatUsd(shadow?.s as number)}, `);
  });

  test("value out cites the spec's rate and the prose that justifies it, and the weeks add up to the window", async () => {
    const r = await retro();
    expect(r.text).toContain("× $2.50 per digest (spec `value.usd_per_unit`)");
    expect(r.text).toContain("“Ten minutes of skimming at $15/hour.”");
    const weeks = r.out.filter((l) => /^\| 2026-W\d\d \|/.test(l));
    expect(weeks.length).toBe(3);
    const ticks = weeks.reduce((n, l) => n + Number(l.split("|")[3]), 0);
    expect(ticks).toBe(Number(/\*\*Ticks:\*\* (\d+)/.exec(r.text)?.[1]));
    expect(r.text).toMatch(/\*\*Production call:\*\* Keep it in production/);
  });

  test("incidents are grouped by cause with their trace and the first good build after them whose spec changed", async () => {
    const r = await retro();
    const paidCause = "### degraded: fallback primary → paid (http_5xx)";
    expect(r.text).toContain(paidCause);
    expect(r.text).toContain(
      "### degraded: fallback primary → paid (http_5xx); fallback paid → extractive (quota)",
    );
    const section = r.text.slice(r.text.indexOf(paidCause)).split("\n### ")[0] as string;
    const lines = section.split("\n").filter((l) => l.startsWith("- "));
    expect(lines.length).toBe(2);
    // Day 3 (2026-06-04) was followed by the good build of 06-06; the refused one of 06-07 fixed nothing.
    expect(lines[0]).toContain("trace runs/2026-06-04/trace.jsonl");
    expect(lines[0]).toMatch(
      /fixed by runs\/build-20260606T120000Z\.md .* — but the cause recurred after it/,
    );
    expect(lines[1]).toContain("trace runs/2026-06-12/trace.jsonl");
    expect(lines[1]).toContain("no later build changed the spec");
  });
});

describe("normaliseReason", () => {
  test.each([
    ["fallback primary → paid (http_5xx: 500: model crashed)", "fallback primary → paid (http_5xx)"],
    [
      "only 2 new items (min_items 3); no digest written",
      "only <n> new items (min_items <n>); no digest written",
    ],
    ["process 4242 died mid-tick; closed at next start", "process <n> died mid-tick; closed at next start"],
    [
      "every source failed: hn (timeout), lobsters (http_status)",
      "every source failed: hn (timeout), lobsters (http_status)",
    ],
    [null, "(no reason recorded)"],
  ])("%p → %p", (reason, cause) => {
    expect(normaliseReason(reason)).toBe(cause);
  });
});

describe("fixedUsd", () => {
  test.each([
    [0, 4, "0.0000"],
    [103, 4, "0.0001"],
    [50, 4, "0.0001"],
    [49, 4, "0.0000"],
    [2_500_000, 2, "2.50"],
    [40_004_999, 2, "40.00"],
    [40_005_000, 2, "40.01"],
  ])("%p micro-USD to %p places is %p", (micros, places, s) => {
    expect(fixedUsd(micros, places)).toBe(s);
  });
});
