import { describe, expect, test } from "bun:test";
import { unifiedDiff } from "../../src/factory/diff.ts";

const labels = { before: "a", after: "b" };
const lines = (n: number) => `${Array.from({ length: n }, (_, i) => `line ${i + 1}`).join("\n")}\n`;

describe("unifiedDiff (the build record's spec diff)", () => {
  test("equal texts give no diff", () => {
    expect(unifiedDiff(lines(5), lines(5), labels)).toBe("");
  });

  test.each([
    [
      "a changed line, with three lines of context",
      lines(10),
      lines(10).replace("line 5\n", "line five\n"),
      "--- a\n+++ b\n@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+line five\n line 6\n line 7\n line 8",
    ],
    ["a first build's spec against nothing", "", "x\ny\n", "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y"],
    ["everything removed", "x\ny\n", "", "--- a\n+++ b\n@@ -1,2 +0,0 @@\n-x\n-y"],
    [
      "a line added at the end",
      lines(2),
      `${lines(2)}line 3\n`,
      "--- a\n+++ b\n@@ -1,2 +1,3 @@\n line 1\n line 2\n+line 3",
    ],
  ])("%s", (_name, before, after, expected) => {
    expect(unifiedDiff(before, after, labels)).toBe(expected);
  });

  test("changes far apart make separate hunks; near ones share one", () => {
    const after = lines(30).replace("line 2\n", "two\n").replace("line 25\n", "twenty-five\n");
    expect(unifiedDiff(lines(30), after, labels).match(/^@@ /gm)).toHaveLength(2);
    const near = lines(30).replace("line 2\n", "two\n").replace("line 8\n", "eight\n");
    expect(unifiedDiff(lines(30), near, labels).match(/^@@ /gm)).toHaveLength(1);
  });
});
