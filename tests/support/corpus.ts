import { join } from "node:path";

/**
 * The feed corpora written by others, vendored under `tests/corpus/` (each with its
 * upstream LICENSE; see tests/corpus/README.md), so a plain clone runs the same suite CI runs.
 */
export const CORPUS = join(import.meta.dir, "..", "corpus");
