import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * The one atomic write: the bytes go to a hidden temp file in the target's own directory (so
 * the rename never crosses a file system: no EXDEV), are flushed, then renamed over `path`.
 * A crash leaves the old file or the whole new one, never half of one; on an error the temp
 * file is removed and the error thrown.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}-${crypto.randomUUID().slice(0, 8)}.tmp`);
  try {
    writeFileSync(tmp, data, { flush: true });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Whether a file name is one of writeFileAtomic's temp files (a leftover of a crash mid-write). */
export function isAtomicTemp(name: string): boolean {
  return name.startsWith(".") && name.endsWith(".tmp");
}
