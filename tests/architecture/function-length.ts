/**
 * The functions of src/ longer than a bound, longest first (issue 17's figure): a function
 * declaration, method, arrow function or function expression, counted from its first line to
 * its last (an inner function counts in its outer one as well as on its own).
 *
 *   bun tests/architecture/function-length.ts [MIN_LINES] [DIR…]   # default 60, all of src/
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { SRC, sourceFiles } from "./source-files.ts";

export interface LongFunction {
  lines: number;
  /** `path:line name`, the path under src/. */
  where: string;
}

function nameOf(n: ts.FunctionLikeDeclaration): string {
  if (n.name) return n.name.getText();
  return ts.isVariableDeclaration(n.parent) || ts.isPropertyAssignment(n.parent)
    ? n.parent.name.getText()
    : "<anonymous>";
}

/** Every function under `dirs` (folders under src/) longer than `min` lines, longest first. */
export function longFunctions(min: number, dirs: readonly string[] = ["."]): LongFunction[] {
  const out: LongFunction[] = [];
  for (const file of dirs.flatMap((d) => sourceFiles(join(SRC, d)))) {
    const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const line = (pos: number) => src.getLineAndCharacterOfPosition(pos).line;
    const visit = (n: ts.Node) => {
      const fn =
        ts.isFunctionDeclaration(n) ||
        ts.isMethodDeclaration(n) ||
        ts.isArrowFunction(n) ||
        ts.isFunctionExpression(n);
      if (fn && n.body) {
        const lines = line(n.end) - line(n.getStart()) + 1;
        if (lines > min)
          out.push({ lines, where: `${relative(SRC, file)}:${line(n.getStart()) + 1} ${nameOf(n)}` });
      }
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  return out.sort((a, b) => b.lines - a.lines);
}

if (import.meta.main) {
  const [min = "60", ...dirs] = process.argv.slice(2);
  const found = longFunctions(Number(min), dirs.length ? dirs : ["."]);
  for (const f of found) console.log(`${f.lines}\t${f.where}`);
  console.log(`${found.length} functions over ${min} lines`);
}
