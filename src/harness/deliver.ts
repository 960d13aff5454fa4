import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Writes `text` to `out/<name>` atomically: the bytes go to a temp file under runs/tmp
 * (same file system, outside out/), are flushed, then renamed into place. A crash leaves
 * either no file or the whole file in out/, never half of one.
 */
export function deliverAtomically(home: string, name: string, text: string, tickId: string): string {
  const outDir = join(home, "out");
  const tmpDir = join(home, "runs", "tmp");
  mkdirSync(outDir, { recursive: true });
  mkdirSync(tmpDir, { recursive: true });
  const tmp = join(tmpDir, `${tickId}-${name}`);
  try {
    writeFileSync(tmp, text, { flush: true });
    renameSync(tmp, join(outDir, name));
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return join("out", name);
}
