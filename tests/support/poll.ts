import { existsSync, readFileSync } from "node:fs";

/**
 * `read()` once it gives a value (not null, undefined or false), polled with a back-off from 5 to
 * 50 ms: for what another process writes to disk, where there is no event to await. The test's
 * timeout bounds the wait.
 */
export async function polled<T>(read: () => T | null | undefined | false): Promise<T> {
  for (let wait = 5; ; wait = Math.min(wait * 2, 50)) {
    const value = read();
    if (value !== null && value !== undefined && value !== false) return value;
    await Bun.sleep(wait);
  }
}

/** The trimmed text of `path` once something other than blanks is written there. */
export function fileText(path: string): Promise<string> {
  return polled(() => {
    const text = existsSync(path) ? readFileSync(path, "utf8").trim() : "";
    return text !== "" && text;
  });
}
