import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/run.ts";
import { parseMatrix } from "../../src/evidence/matrix.ts";
import { passedTitles } from "../../src/evidence/matrix-check.ts";
import { REPO, tempHome, testDeps } from "../support/home.ts";

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});

const HEAD = "| id | promise | evidence | proving test |\n| --- | --- | --- | --- |";

async function verifyMatrix(args: string[]) {
  const h = tempHome();
  cleanups.push(h.cleanup);
  const t = testDeps(h.dir);
  const code = await run(["verify", "--matrix", ...args], t.deps);
  return { code, out: t.out, row: (id: string) => t.out.find((l) => l.slice(2).startsWith(`${id} `)) ?? "" };
}

describe("the matrix format", () => {
  test("a row names its evidence as `path:line` `marker` pairs and its test as `file` `name`", () => {
    const { rows, errors } = parseMatrix(
      [
        "## Pillar: guardrails",
        "",
        HEAD,
        "| G1 | the kill flag refuses | `src/a.ts:3` `KILL_LINE`; `src/b.ts:10` `flagPresent(` | `tests/a.test.ts` `flag \\| refuses` |",
        "",
        "| not | a | matrix | table |",
      ].join("\n"),
    );
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      {
        id: "G1",
        promise: "the kill flag refuses",
        evidence: [
          { path: "src/a.ts", line: 3, marker: "KILL_LINE" },
          { path: "src/b.ts", line: 10, marker: "flagPresent(" },
        ],
        test: { file: "tests/a.test.ts", name: "flag | refuses" },
        at: 5,
      },
    ]);
  });

  test("malformed rows are errors, never skipped", () => {
    const { rows, errors } = parseMatrix(
      [
        HEAD,
        "| X1 | no line number | `src/a.ts` `marker` | `t.test.ts` `name` |",
        "| X2 | odd spans | `src/a.ts:1` | `t.test.ts` `name` |",
        "| X3 | no test name | `src/a.ts:1` `m` | `t.test.ts` |",
        "| X4 | three cells | `src/a.ts:1` `m` |",
      ].join("\n"),
    );
    expect(rows).toEqual([]);
    expect(errors).toEqual([
      "line 3 (X1): evidence 'src/a.ts' is not path:line",
      "line 4 (X2): evidence must be pairs of code spans: `path:line` `marker`",
      "line 5 (X3): proving test must be two code spans: `file` `test name`",
      "line 6: a matrix row needs 4 cells (id, promise, evidence, proving test), found 3",
    ]);
  });

  test("bun test's pass and fail lines are read as full titles", () => {
    const out =
      "(pass) guard > refuses when the flag exists [1.20ms]\n(fail) halts at the cap [3.00s]\n 1 pass";
    expect(passedTitles(out)).toEqual({
      passed: ["guard > refuses when the flag exists"],
      failed: ["halts at the cap"],
    });
  });
});

describe("afk verify --matrix", () => {
  test("flags a moved marker, a missing line, a missing test and a failing test; passes the row that holds", async () => {
    const h = tempHome();
    cleanups.push(h.cleanup);
    const root = h.dir;
    mkdirSync(join(root, "src"), { recursive: true });
    mkdirSync(join(root, "tests"), { recursive: true });
    writeFileSync(
      join(root, "src", "guard.ts"),
      ["// the guard", "", "export const KILL_LINE = 'KILL flag present';", "export const CAP = 3;", ""].join(
        "\n",
      ),
    );
    writeFileSync(
      join(root, "tests", "guard.test.ts"),
      [
        'import { expect, test, describe } from "bun:test";',
        'import { CAP, KILL_LINE } from "../src/guard.ts";',
        'describe("guard", () => {',
        '  test("the kill line names the flag", () => { expect(KILL_LINE).toContain("KILL"); });',
        '  test("the cap exits 3", () => { expect(CAP).toBe(4); });',
        "});",
        "",
      ].join("\n"),
    );
    const matrix = join(root, "matrix.md");
    writeFileSync(
      matrix,
      [
        HEAD,
        "| OK | holds | `src/guard.ts:3` `export const KILL_LINE` | `tests/guard.test.ts` `the kill line names the flag` |",
        "| MOVED | marker moved | `src/guard.ts:1` `export const KILL_LINE` | `tests/guard.test.ts` `the kill line names the flag` |",
        "| GONE | line past the end | `src/guard.ts:99` `CAP` | `tests/guard.test.ts` `the kill line names the flag` |",
        "| NOTEST | test missing | `src/guard.ts:4` `CAP` | `tests/guard.test.ts` `the cap is enforced` |",
        "| RED | test fails | `src/guard.ts:4` `CAP` | `tests/guard.test.ts` `the cap exits 3` |",
        "| NOFILE | file missing | `src/gone.ts:1` `x` | `tests/guard.test.ts` `the cap exits 3` |",
      ].join("\n"),
    );
    const r = await verifyMatrix(["--matrix-file", matrix, "--base", root]);
    expect(r.code).toBe(1);
    expect(r.row("OK")).toBe("✓ OK holds — src/guard.ts:3; test passed: the kill line names the flag");
    expect(r.row("MOVED")).toBe(
      "✗ MOVED marker moved — src/guard.ts:1 no longer holds `export const KILL_LINE` (it is now on line 3)",
    );
    expect(r.row("GONE")).toBe("✗ GONE line past the end — src/guard.ts:99: the file has only 4 lines");
    expect(r.row("NOTEST")).toBe(
      '✗ NOTEST test missing — tests/guard.test.ts: no test named "the cap is enforced"',
    );
    expect(r.row("RED")).toBe('✗ RED test fails — tests/guard.test.ts: test "the cap exits 3" failed');
    expect(r.row("NOFILE")).toBe("✗ NOFILE file missing — src/gone.ts: no such file");
    expect(r.out.at(-1)).toStartWith("matrix: 6 rows, 1 hold, 5 problems");

    // Resolution alone does not run tests: the red row then holds, the others still do not.
    const resolved = await verifyMatrix(["--matrix-file", matrix, "--base", root, "--resolve-only"]);
    expect(resolved.row("RED")).toStartWith("✓ RED");
    expect(resolved.out.at(-1)).toStartWith(
      "matrix: 6 rows, 2 hold (resolution only; tests not run), 4 problems",
    );
  });

  test("every path:line of the shipped matrix resolves and names a declared test", async () => {
    const r = await verifyMatrix(["--resolve-only", "--base", REPO]);
    expect(r.out.filter((l) => l.startsWith("✗"))).toEqual([]);
    expect(r.code).toBe(0);
    const rows = r.out.filter((l) => l.startsWith("✓ "));
    // Five pillars and four seams, at least one row each.
    for (const prefix of ["SF", "H", "GF", "RO", "LO", "S1", "S2", "S3", "S4"])
      expect(rows.some((l) => new RegExp(`^✓ ${prefix}\\d*[.a-z]* `).test(l))).toBe(true);
  });
});
