import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defineArgs, MAX_DEFINE_BYTES } from "../../src/factory/embed.ts";
import { readGate } from "../../src/factory/gate.ts";
import { embeddedFiles, materialiseEmbeddedFiles } from "../../src/spec/embedded-files.ts";
import { parseSpec } from "../../src/spec/load.ts";
import { REPO, tempDir } from "./helpers.ts";

const done = (exitCode: number, stderr: string) => ({ exitCode, stdout: "", stderr, ms: 10 });

describe("the seam gate reads bun test's result", () => {
  test.each([
    ["all pass", 0, " 22 pass\n 0 fail\nRan 22 tests across 4 files. [11.14s]", true, 22, 0],
    ["one fails", 1, " 21 pass\n 1 fail\nRan 22 tests across 4 files. [11.14s]", false, 21, 1],
    ["no tests found (exit 1)", 1, "error: 0 test files matching", false, undefined, undefined],
    ["exit 0 but zero tests ran", 0, " 0 pass\n 0 fail\nRan 0 tests across 0 files. [1ms]", false, 0, 0],
  ] as const)("%s", (_name, exit, stderr, passed, pass, fail) => {
    const g = readGate(["bun", "test", "tests/seams"], done(exit, stderr));
    expect([g.passed, g.pass, g.fail]).toEqual([passed, pass, fail]);
  });
});

describe("embedding the spec's local files", () => {
  test("the define values round-trip: spec text as a JSON string, files as JSON text inside one", () => {
    const text = readFileSync(join(REPO, "spec/SPEC.md"), "utf8");
    const loaded = parseSpec(text, "SPEC.md", "file:SPEC.md", join(REPO, "spec"));
    const args = defineArgs(loaded, { "feeds/a.xml": '<rss>`$x` "q"</rss>' });
    const value = (name: string) => {
      const arg = args.find((a) => a.startsWith(`${name}=`)) as string;
      return JSON.parse(arg.slice(name.length + 1)) as string;
    };
    expect(value("AFK_EMBEDDED_SPEC")).toBe(text);
    expect(embeddedFiles(value("AFK_EMBEDDED_FILES"))).toEqual({ "feeds/a.xml": '<rss>`$x` "q"</rss>' });
  });

  test("local files too large for one command-line argument stop the build, naming the way out", () => {
    const loaded = parseSpec(readFileSync(join(REPO, "spec/SPEC.md"), "utf8"), "SPEC.md", "x", REPO);
    expect(() => defineArgs(loaded, { "feeds/big.xml": "x".repeat(MAX_DEFINE_BYTES) })).toThrow(
      /point large sources at http\(s\) URLs/,
    );
  });

  test("materialising writes missing files, never over the operator's, and nothing outside AFK_HOME", () => {
    const tmp = tempDir("afk-materialise-");
    try {
      mkdirSync(join(tmp.dir, "feeds"));
      writeFileSync(join(tmp.dir, "feeds", "mine.xml"), "operator's copy");
      const r = materialiseEmbeddedFiles(tmp.dir, {
        "feeds/new.xml": "embedded",
        "feeds/mine.xml": "embedded",
        "../escape.xml": "no",
      });
      expect(r.written).toEqual([join(tmp.dir, "feeds", "new.xml")]);
      expect(r.kept).toEqual([join(tmp.dir, "feeds", "mine.xml")]);
      expect(r.failed).toEqual([{ path: "../escape.xml", error: "outside AFK_HOME" }]);
      expect(readFileSync(join(tmp.dir, "feeds", "mine.xml"), "utf8")).toBe("operator's copy");
      expect(readFileSync(join(tmp.dir, "feeds", "new.xml"), "utf8")).toBe("embedded");
    } finally {
      tmp.cleanup();
    }
  });
});
