/**
 * File reads for the cold paths (`afk status`, `afk --version`) without `node:fs`, whose import
 * alone costs a compiled cold start 1–2 ms (more than everything else `--version` does).
 * `Bun.mmap` maps the file and the text is copied out at once; a file that an editor truncates in
 * that instant is the one case this can fault on, as any reader racing a writer can misread.
 * Not for /proc (it cannot be mapped) nor for large files.
 */

/** Keeps a byte-order mark, as `readFileSync(path, "utf8")` does (TextDecoder drops it by default). */
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** An error's `code` (ENOENT, EACCES…), if it has one. */
export function errCode(err: unknown): string | undefined {
  return (err as { code?: string } | null)?.code;
}

/**
 * The file's text as `readFileSync(path, "utf8")` returns it; null when there is no such file or it
 * cannot be read (a directory, no permission). An empty file is "" (it cannot be mapped).
 */
export function readTextLight(path: string): string | null {
  try {
    return utf8.decode(Bun.mmap(path, { shared: false }));
  } catch (err) {
    // mmap refuses a zero-length mapping: the file is there and empty
    return errCode(err) === "EINVAL" && Bun.file(path).size === 0 ? "" : null;
  }
}

/**
 * `existsSync(path)`: whether anything is at `path` (a file, empty or not, or a directory). A path
 * that cannot be opened for another reason than its absence counts as there, as existsSync counts it.
 */
export function existsLight(path: string): boolean {
  try {
    Bun.mmap(path, { shared: false });
    return true;
  } catch (err) {
    const code = errCode(err);
    return code !== "ENOENT" && code !== "ENOTDIR";
  }
}
