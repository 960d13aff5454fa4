import { join } from "node:path";

/**
 * The feed corpora written by others: `../shared/corpus` beside the repo, as on every
 * developer machine and in CI (see shared/corpus/README.md).
 */
export const CORPUS = join(import.meta.dir, "..", "..", "..", "shared", "corpus");
