/** The README's two ten-line job examples, run as they are printed, as jobs against the proxy. */
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runTick } from "../../src/harness/tick.ts";
import { callsOf, type Home, harnessFor } from "../models/fixtures.ts";
import { REPO } from "../support/home.ts";
import { doublesHome, unitText, useDoubles } from "./helpers.ts";

const README = readFileSync(join(REPO, "README.md"), "utf8");
const slot = new Date("2026-11-24T07:00:00Z");
const doubles = useDoubles();
let home: Home | undefined;
afterEach(() => {
  home?.cleanup();
  home = undefined;
});

/** The first fenced block of `lang` after `marker` in the README. */
function example(marker: string, lang: string): string {
  const at = README.indexOf(marker);
  expect(at).toBeGreaterThan(-1);
  const block = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(README.slice(at));
  return block?.[1] ?? "";
}

describe("the README's job examples", () => {
  test.each([
    [
      "Python, standard library only:",
      "python",
      "job.py",
      ["python3", "job.py"],
      "notifications.txt",
      "local",
    ],
    ["TypeScript, with the official", "ts", "job.ts", ["bun", "job.ts"], "postings.txt", "paid"],
  ])(
    "%s the example is at most ten lines and delivers a unit",
    async (marker, lang, file, run, input, link) => {
      const code = example(marker, lang);
      expect(code.trimEnd().split("\n").length).toBeLessThanOrEqual(10);
      const h = doublesHome(doubles, run);
      home = h;
      writeFileSync(join(h.dir, file), code);
      writeFileSync(join(h.dir, input), "- one\n- two\n");
      symlinkSync(join(REPO, "node_modules"), join(h.dir, "node_modules"));
      const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
      expect(s.status).toBe("ok");
      expect(unitText(h, s.outPath)).toStartWith("# ");
      expect(callsOf(h.db, s.tickId).map((c) => c.link_id)).toEqual([link]);
    },
  );
});
