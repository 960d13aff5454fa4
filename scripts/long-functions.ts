/**
 * Lists the functions of N or more lines (default 80) under the folders named
 * (default `src`), longest first, as a Markdown table; the last line counts
 * them. A function's lines run from its first line to its closing brace,
 * nested functions included (a nested one long enough is listed on its own).
 *
 *   bun scripts/long-functions.ts                 # src/, 80+ lines
 *   bun scripts/long-functions.ts --min 60 src/runner src/status
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

type Long = { file: string; line: number; name: string; lines: number };

function parseArgs(argv: string[]): { min: number; roots: string[] } {
  let min = 80;
  const roots: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--min") {
      min = Number(argv[++i]);
      if (!Number.isInteger(min) || min < 1) throw new Error("long-functions: --min takes a whole number");
    } else roots.push(a);
  }
  return { min, roots: roots.length > 0 ? roots : ["src"] };
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(entry) && !entry.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** The name a reader would search for: the declaration's, or the variable/property it is assigned to. */
function nameOf(node: ts.Node): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name && (ts.isIdentifier(named.name) || ts.isStringLiteral(named.name))) return named.name.text;
  if (ts.isConstructorDeclaration(node)) return "constructor";
  const parent = node.parent;
  if (
    parent &&
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) &&
    ts.isIdentifier(parent.name)
  )
    return parent.name.text;
  if (parent && ts.isCallExpression(parent))
    return `(callback of ${parent.expression.getText().slice(0, 40)})`;
  return "(anonymous)";
}

function longFunctions(file: string, min: number): Long[] {
  const text = readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Long[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines >= min) found.push({ file, line: start + 1, name: nameOf(node), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const { min, roots } = parseArgs(Bun.argv.slice(2));
const all = roots
  .flatMap((root) => sourceFiles(root))
  .flatMap((file) => longFunctions(file, min))
  .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file));
console.log("| lines | function | where |");
console.log("| ---: | --- | --- |");
for (const f of all) console.log(`| ${f.lines} | \`${f.name}\` | ${relative(".", f.file)}:${f.line} |`);
console.log(`\n${all.length} functions of ${min}+ lines under ${roots.join(", ")}`);
