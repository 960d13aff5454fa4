/**
 * Follows moved code in docs/pillar-coverage-matrix.md: for every evidence whose line no longer
 * holds its marker, and whose marker stands on exactly one line of the file now, rewrites the
 * `path:line` to that line. Markers that vanished or became ambiguous are listed, not guessed.
 *
 *   bun scripts/matrix-lines.ts          # rewrite the matrix in place
 *   bun scripts/matrix-lines.ts --check  # exit 1 when a line number is stale
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseMatrix } from "../src/evidence/matrix.ts";

const root = join(import.meta.dir, "..");
const matrixPath = join(root, "docs/pillar-coverage-matrix.md");
const check = process.argv.includes("--check");
const text = readFileSync(matrixPath, "utf8");
const lines = text.split("\n");
const { rows } = parseMatrix(text);
let moved = 0;
const lost: string[] = [];

for (const row of rows) {
  for (const e of row.evidence) {
    const file = join(root, e.path);
    if (!existsSync(file)) {
      lost.push(`${row.id}: ${e.path}: no such file`);
      continue;
    }
    const code = readFileSync(file, "utf8").split("\n");
    if (code[e.line - 1]?.includes(e.marker)) continue;
    const hits = code.flatMap((l, i) => (l.includes(e.marker) ? [i + 1] : []));
    if (hits.length !== 1) {
      lost.push(`${row.id}: ${e.path}: \`${e.marker}\` is on ${hits.length} lines`);
      continue;
    }
    const at = row.at - 1;
    lines[at] = (lines[at] as string).replace(`\`${e.path}:${e.line}\``, `\`${e.path}:${hits[0]}\``);
    moved++;
  }
}

if (check) {
  console.log(`${moved} stale line numbers; ${lost.length} markers to fix by hand`);
} else if (moved) {
  writeFileSync(matrixPath, lines.join("\n"));
  console.log(`followed ${moved} moved markers`);
}
for (const l of lost) console.log(`fix by hand: ${l}`);
process.exit(check && (moved || lost.length) ? 1 : lost.length ? 1 : 0);
