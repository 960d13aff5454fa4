import { join } from "node:path";
import { writeFileAtomic } from "../core/write-atomic.ts";

/**
 * Writes `text` to `out/<name>` atomically (a hidden temp file beside it, flushed, then
 * renamed): a crash leaves either no digest or the whole digest in out/, never half of one.
 */
export function deliverAtomically(home: string, name: string, text: string): string {
  writeFileAtomic(join(home, "out", name), text);
  return join("out", name);
}
