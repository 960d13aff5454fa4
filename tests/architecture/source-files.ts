import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The source tree the architecture tests read. */
export const SRC = join(import.meta.dir, "..", "..", "src");

/** Every TypeScript source under `dir` (declaration files aside), as absolute paths. */
export function sourceFiles(dir: string = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [p] : [];
  });
}
