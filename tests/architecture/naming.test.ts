import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { SRC, sourceFiles } from "./source-files.ts";

/**
 * One meaning per word (the README's Architecture glossary). These file names once meant
 * different things in different rings; each now names one file, and the words "runner" and
 * "guarded" keep the meaning the glossary gives them.
 */
const ONE_FILE_EACH = ["retry.ts", "run-log.ts", "budget.ts", "location.ts", "guarded.ts"];

const files = sourceFiles(SRC).map((f) => relative(SRC, f));

describe("one meaning per word", () => {
  test.each(ONE_FILE_EACH)("at most one file under src/ is named %p", (name) => {
    expect(files.filter((f) => basename(f) === name).length).toBeLessThanOrEqual(1);
  });

  test("runner means the runner ring: what calls a model link is a link caller; guarded is the runner's tick", () => {
    const outside = (re: RegExp, allowed: (f: string) => boolean) =>
      files.filter((f) => !allowed(f) && re.test(readFileSync(join(SRC, f), "utf8")));
    // an identifier that names a model link's function a runner
    expect(outside(/\b(?:LinkRunner|ChainRunners|\w*Runners)\b/, () => false)).toEqual([]);
    // `guarded` as an identifier lives with the runner's guarded tick
    expect(outside(/\bfunction guarded\w*|\bguarded\s*\(/, (f) => f.startsWith("runner/"))).toEqual([]);
  });
});
