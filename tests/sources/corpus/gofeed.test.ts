import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { safeLink } from "../../../src/sources/links.ts";
import { htmlToText } from "../../../src/sources/sanitize.ts";
import { CORPUS, listFiles, readCorpus, runPipeline } from "./files.ts";

/** Checks that hold today; the rest are explained in tests/sources/KNOWN-DIFFERENCES.md. Never lower. */
const FLOOR = 76;

interface GofeedExpected {
  title?: unknown;
  entries?: { title?: unknown; links?: unknown[] }[];
  items?: { title?: unknown; link?: unknown; url?: unknown; links?: unknown[] }[];
}

/** Each gofeed input next to its expected result: `x.xml` → `x.json`, `json/x.json` → `json/x_expected.json`. */
function cases(): { input: string; expected: string }[] {
  const xml = listFiles("gofeed/parser", (n) => n.endsWith(".xml")).map((input) => ({
    input,
    expected: input.replace(/\.xml$/, ".json"),
  }));
  const json = listFiles(
    "gofeed/parser/json",
    (n) => n.endsWith(".json") && !n.endsWith("_expected.json"),
  ).map((input) => ({ input, expected: input.replace(/\.json$/, "_expected.json") }));
  return [...xml, ...json].filter((c) => existsSync(join(CORPUS, c.expected)));
}

function firstLink(e: NonNullable<GofeedExpected["items"]>[number]): string | undefined {
  const candidates = [e.link, e.url, ...(e.links ?? [])];
  for (const c of candidates) {
    if (typeof c === "string") return c;
    if (typeof c === "object" && c !== null && typeof (c as { href?: unknown }).href === "string") {
      return (c as { href: string }).href;
    }
  }
  return undefined;
}

describe("gofeed's expected titles and links, after afk's normalisation", () => {
  test(`hold for at least ${FLOOR} checks`, () => {
    let pass = 0;
    let total = 0;
    const misses: string[] = [];
    const all = cases();
    expect(all.length).toBeGreaterThan(400);
    for (const { input, expected } of all) {
      const want = JSON.parse(readFileSync(join(CORPUS, expected), "utf8")) as GofeedExpected;
      const outcome = runPipeline(readCorpus(input), null, null);
      const feed = outcome.kind === "feed" ? outcome.feed : null;
      const first = (want.entries ?? want.items ?? [])[0];
      const checks: [string, string | null, string | null | undefined][] = [];
      if (typeof want.title === "string")
        checks.push(["title", htmlToText(want.title), feed ? (feed.title ?? "") : undefined]);
      if (first && typeof first.title === "string") {
        checks.push(["entry title", htmlToText(first.title), feed?.items[0]?.title]);
      }
      const link = first ? firstLink(first) : undefined;
      if (link !== undefined) checks.push(["entry link", safeLink(link, null), feed?.items[0]?.link]);
      for (const [what, w, got] of checks) {
        total++;
        if (w === got) pass++;
        else misses.push(`${input} ${what}`);
      }
    }
    console.log(`gofeed expectations: ${pass} of ${total}; misses:\n  ${misses.join("\n  ")}`);
    expect(pass).toBeGreaterThanOrEqual(FLOOR);
  });
});
