import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isAtomicTemp, writeFileAtomic } from "../../src/core/write-atomic.ts";
import { tempHome } from "../support/home.ts";

const homes: (() => void)[] = [];
afterEach(() => {
  for (const c of homes.splice(0)) c();
});
function dir(): string {
  const h = tempHome();
  homes.push(h.cleanup);
  return h.dir;
}

describe("the one atomic write", () => {
  test("creates the folder, writes the whole file and leaves no temp file beside it", () => {
    const d = dir();
    const path = join(d, "out", "digest.md");
    writeFileAtomic(path, "# whole\n");
    expect(readFileSync(path, "utf8")).toBe("# whole\n");
    expect(readdirSync(join(d, "out"))).toEqual(["digest.md"]);
  });

  test("replaces an existing file in one step", () => {
    const d = dir();
    const path = join(d, "ALERT.txt");
    writeFileSync(path, "old\n");
    writeFileAtomic(path, "new\n");
    expect(readFileSync(path, "utf8")).toBe("new\n");
  });

  test("its temp file sits in the target's own folder, so the rename never crosses a file system", () => {
    const d = dir();
    const target = join(d, "out", "x.md");
    // A folder where the target should be makes the rename fail after the temp file is written.
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, "keep"), "");
    expect(() => writeFileAtomic(target, "text")).toThrow();
    expect(readdirSync(join(d, "out"))).toEqual(["x.md"]);
  });

  test("its temp names are recognisable as leftovers, and digests are not", () => {
    expect(isAtomicTemp(".digest-2026-11-24-0700.md.4242-0a1b2c3d.tmp")).toBe(true);
    expect(isAtomicTemp("digest-2026-11-24-0700.md")).toBe(false);
    expect(isAtomicTemp("ALERT.txt")).toBe(false);
  });
});
