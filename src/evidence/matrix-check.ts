import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Spawn } from "../factory/spawn.ts";
import type { MatrixRow } from "./matrix.ts";

/** What is wrong with one row; an empty list means the row holds. */
export interface RowVerdict {
  row: MatrixRow;
  problems: string[];
  /** Set once the proving test was run: did it pass? */
  testPassed?: boolean;
}

function readLines(root: string, path: string, cache: Map<string, string[] | null>): string[] | null {
  if (!cache.has(path)) {
    const full = join(root, path);
    // A final newline ends the last line; it does not start another.
    cache.set(path, existsSync(full) ? readFileSync(full, "utf8").replace(/\n$/, "").split("\n") : null);
  }
  return cache.get(path) ?? null;
}

/** The test's name appears as a string literal in its file: `test("name"`, `'name'` or a template. */
export function declaresTest(source: string, name: string): boolean {
  return [`"${name}"`, `'${name}'`, `\`${name}\``].some((q) => source.includes(q));
}

/**
 * Resolution, no process started: every `path:line` exists and that line still holds its
 * marker; the proving test's file exists and declares a test of that name.
 */
export function resolveRows(rows: readonly MatrixRow[], root: string): RowVerdict[] {
  const cache = new Map<string, string[] | null>();
  return rows.map((row) => {
    const problems: string[] = [];
    for (const e of row.evidence) {
      const lines = readLines(root, e.path, cache);
      if (!lines) {
        problems.push(`${e.path}: no such file`);
        continue;
      }
      const text = lines[e.line - 1];
      if (e.line < 1 || text === undefined) {
        problems.push(`${e.path}:${e.line}: the file has only ${lines.length} lines`);
        continue;
      }
      if (!text.includes(e.marker)) {
        const moved = lines.findIndex((l) => l.includes(e.marker));
        problems.push(
          `${e.path}:${e.line} no longer holds \`${e.marker}\`${moved >= 0 ? ` (it is now on line ${moved + 1})` : " (not found in the file)"}`,
        );
      }
    }
    const testLines = readLines(root, row.test.file, cache);
    if (!testLines) problems.push(`${row.test.file}: no such test file`);
    else if (!declaresTest(testLines.join("\n"), row.test.name))
      problems.push(`${row.test.file}: no test named "${row.test.name}"`);
    return { row, problems };
  });
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `(pass) describe > name [1.2ms]` lines of a bun test run, as full titles. */
export function passedTitles(output: string): { passed: string[]; failed: string[] } {
  const passed: string[] = [];
  const failed: string[] = [];
  for (const line of output.split("\n")) {
    const m = /^\((pass|fail)\) (.*?)(?: \[[\d.]+m?s\])?$/.exec(line.trim());
    if (!m) continue;
    (m[1] === "pass" ? passed : failed).push(m[2] as string);
  }
  return { passed, failed };
}

function titleIs(title: string, name: string): boolean {
  return title === name || title.endsWith(` > ${name}`);
}

/**
 * Runs the proving tests of rows that resolved, one `bun test <file> -t <names>` child per file
 * (run from `root`), and marks each row by whether its own test was reported as passing.
 */
export async function runProvingTests(
  verdicts: readonly RowVerdict[],
  root: string,
  bun: string,
  spawn: Spawn,
  env: Readonly<Record<string, string | undefined>>,
): Promise<RowVerdict[]> {
  const byFile = new Map<string, RowVerdict[]>();
  for (const v of verdicts) {
    if (v.problems.length) continue;
    const list = byFile.get(v.row.test.file) ?? [];
    list.push(v);
    byFile.set(v.row.test.file, list);
  }
  const results = new Map<RowVerdict, RowVerdict>();
  for (const [file, list] of byFile) {
    const pattern = [...new Set(list.map((v) => escapeRegex(v.row.test.name)))].join("|");
    const done = await spawn([bun, "test", file, "-t", pattern], { cwd: root, env: { ...env } });
    const { passed, failed } = passedTitles(`${done.stdout}\n${done.stderr}`);
    for (const v of list) {
      const ok = passed.some((t) => titleIs(t, v.row.test.name));
      const bad = failed.some((t) => titleIs(t, v.row.test.name));
      const problems =
        ok && !bad ? [] : [`${file}: test "${v.row.test.name}" ${bad ? "failed" : "did not run"}`];
      results.set(v, { ...v, problems, testPassed: ok && !bad });
    }
  }
  return verdicts.map((v) => results.get(v) ?? v);
}
