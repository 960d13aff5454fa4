import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { errCode } from "./fs-light.ts";

/**
 * The one atomic write: the bytes go to a hidden temp file in the target's own directory (so
 * the rename never crosses a file system: no EXDEV), are flushed, then renamed over `path`, and
 * the directory is flushed so the new name survives a power loss too (the file's data was on
 * disk, its directory entry was not). A crash leaves the old file or the whole new one, never
 * half of one; on an error the temp file is removed and the error thrown.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  renameIntoPlace(path, data);
  fsyncDir(dirname(path));
}

/**
 * The write without the directory's flush: the temp file written and flushed, then renamed over
 * `path`. Exported for the bench that measures what the directory's flush adds (bench/write-atomic.ts).
 */
export function renameIntoPlace(path: string, data: string | Uint8Array): void {
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

/**
 * Codes with which a platform or file system refuses to open or fsync a directory (some network
 * and FUSE file systems, procfs, Windows; EBADF: systems whose fsync wants a writable descriptor;
 * EACCES: a folder this user may write but not read, where the write worked before the flush was
 * added): there the flush is best effort, as it is for every program on them, and the rename
 * still happened. Any other error (EIO: the disk failed the flush) is thrown.
 */
const DIR_SYNC_UNSUPPORTED = new Set([
  "EINVAL",
  "EISDIR",
  "EPERM",
  "EACCES",
  "ENOTSUP",
  "EOPNOTSUPP",
  "EBADF",
]);

/**
 * Flushes a directory's entries (a rename, a new name) to disk: open it read-only, fsync, close.
 * Returns false where the platform refuses (best effort, see DIR_SYNC_UNSUPPORTED), true when done.
 */
export function fsyncDir(dir: string): boolean {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch (err) {
    if (DIR_SYNC_UNSUPPORTED.has(errCode(err) ?? "")) return false;
    throw err;
  }
  try {
    fsyncSync(fd);
    return true;
  } catch (err) {
    if (DIR_SYNC_UNSUPPORTED.has(errCode(err) ?? "")) return false;
    throw err;
  } finally {
    closeSync(fd);
  }
}

/** Whether a file name is one of writeFileAtomic's temp files (a leftover of a crash mid-write). */
export function isAtomicTemp(name: string): boolean {
  return name.startsWith(".") && name.endsWith(".tmp");
}
