import { describe, expect, test } from "bun:test";
import { longFunctions } from "./function-length.ts";

/** Rings whose functions are split to a screen each (issue 17); a ring joins when it is. */
const SPLIT = ["harness", "job", "runner", "status", "deliver", "cli"];
const MAX_LINES = 60;

describe("functions fit on a screen", () => {
  test(`no function in src/${SPLIT.join(", src/")} is over ${MAX_LINES} lines`, () => {
    expect(longFunctions(MAX_LINES, SPLIT)).toEqual([]);
  });

  test("the measure names function declarations and arrow functions", () => {
    const all = longFunctions(0, ["harness", "job"]).map((f) => f.where);
    expect(all.some((w) => /^harness\/tick\.ts:\d+ runTick$/.test(w))).toBe(true);
    expect(all.some((w) => /^job\/command\.ts:\d+ run$/.test(w))).toBe(true);
  });
});
