/**
 * The pillar-coverage matrix (docs/pillar-coverage-matrix.md) as data.
 *
 * Row format — a markdown table row under a header `| id | promise | evidence | proving test |`:
 *
 *   | H1 | a tick leaves one row | `src/harness/tick.ts:93` `export async function runTick(` | `tests/seams/harness-ledger.test.ts` `ok: a chain that succeeds …` |
 *
 * - evidence: one or more pairs of code spans, `path:line` then the marker text that line must
 *   still hold (a substring of the line); several pairs may be given, separated by `;` or `<br>`.
 * - proving test: two code spans, the test file then the test's own name (the string passed to
 *   `test(…)`, without its describe labels).
 * Paths are relative to the repository root. A `|` inside a cell is written `\|`.
 */

export interface Evidence {
  path: string;
  line: number;
  marker: string;
}

export interface ProvingTest {
  file: string;
  name: string;
}

export interface MatrixRow {
  id: string;
  promise: string;
  evidence: Evidence[];
  test: ProvingTest;
  /** Line of the matrix file the row is on (1-based). */
  at: number;
}

export interface MatrixParse {
  rows: MatrixRow[];
  /** Rows that look like matrix rows but do not follow the format, with why. */
  errors: string[];
}

const HEADER = /^\|\s*id\s*\|\s*promise\s*\|\s*evidence\s*\|\s*proving test\s*\|\s*$/i;
const SEPARATOR = /^\|(\s*:?-{3,}:?\s*\|)+\s*$/;

/** Cells of a table row; `\|` stays inside a cell. */
export function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  return inner.split(/(?<!\\)\|/).map((c) => c.trim().replaceAll("\\|", "|"));
}

function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
}

function parseEvidence(cell: string): Evidence[] | string {
  const spans = codeSpans(cell);
  if (spans.length === 0 || spans.length % 2 !== 0)
    return "evidence must be pairs of code spans: `path:line` `marker`";
  const out: Evidence[] = [];
  for (let i = 0; i < spans.length; i += 2) {
    const loc = spans[i] as string;
    const m = /^(.+):(\d+)$/.exec(loc);
    if (!m) return `evidence '${loc}' is not path:line`;
    out.push({ path: m[1] as string, line: Number(m[2]), marker: spans[i + 1] as string });
  }
  return out;
}

function parseTest(cell: string): ProvingTest | string {
  const spans = codeSpans(cell);
  if (spans.length !== 2) return "proving test must be two code spans: `file` `test name`";
  return { file: spans[0] as string, name: spans[1] as string };
}

/** Reads every matrix row of the document; malformed rows are errors, never skipped silently. */
export function parseMatrix(text: string): MatrixParse {
  const rows: MatrixRow[] = [];
  const errors: string[] = [];
  let inTable = false;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (HEADER.test(line)) {
      inTable = true;
      continue;
    }
    if (!line.startsWith("|")) {
      inTable = false;
      continue;
    }
    if (!inTable || SEPARATOR.test(line)) continue;
    const at = i + 1;
    const c = cells(line);
    if (c.length !== 4) {
      errors.push(
        `line ${at}: a matrix row needs 4 cells (id, promise, evidence, proving test), found ${c.length}`,
      );
      continue;
    }
    const [id, promise, ev, t] = c as [string, string, string, string];
    const evidence = parseEvidence(ev);
    const test = parseTest(t);
    if (typeof evidence === "string") errors.push(`line ${at} (${id}): ${evidence}`);
    else if (typeof test === "string") errors.push(`line ${at} (${id}): ${test}`);
    else rows.push({ id, promise, evidence, test, at });
  }
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.id)) errors.push(`line ${r.at}: row id ${r.id} is used twice`);
    seen.add(r.id);
  }
  return { rows, errors };
}
