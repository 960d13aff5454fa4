import { describe, expect, spyOn, test } from "bun:test";
import { readFileSync } from "node:fs";
import { ExpressionSet, Matcher } from "path-expression-matcher";
import { parseText } from "../../src/sources/parse.ts";
import { corpusParseDigests, DIGEST_FILE } from "./parse-digest.ts";

const rss = (n: number) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>t${n}</title><item><guid>g${n}</guid><title>i${n}</title></item></channel></rss>`;

describe("feed parsing with fast-xml-parser patched (patches/): stop-node patterns and document parser built once", () => {
  test("every corpus file parses byte for byte as with the parser as published (parse-digest.json)", () => {
    const recorded = JSON.parse(readFileSync(DIGEST_FILE, "utf8")) as Record<string, string>;
    expect(corpusParseDigests()).toEqual(recorded);
  }, 120_000);

  test("after a feed's first parse, the next ones compile no stop-node pattern", () => {
    parseText(rss(0)); // feedsmith's RSS parser compiles its patterns once, here (or earlier)
    const add = spyOn(ExpressionSet.prototype, "add");
    try {
      for (let i = 1; i <= 3; i++) expect(parseText(rss(i)).parsed.format).toBe("rss");
      expect(add).not.toHaveBeenCalled();
    } finally {
      add.mockRestore();
    }
  });

  test("after a feed's first parse, the next ones build no document parser (entity decoder, matcher)", () => {
    parseText(rss(0));
    const readOnly = spyOn(Matcher.prototype, "readOnly"); // called once by each document parser built
    try {
      for (let i = 1; i <= 3; i++) expect(parseText(rss(i)).parsed.format).toBe("rss");
      expect(readOnly).not.toHaveBeenCalled();
    } finally {
      readOnly.mockRestore();
    }
  });

  test.each([
    [
      "cut off mid-document, tags left open",
      `<?xml version="1.0"?><rss version="2.0"><channel><title>open<item><guid>x`,
    ],
    [
      "closing tags with no opening ones",
      `<rss version="2.0"></item></channel><channel><title>t</title></channel></rss>`,
    ],
    [
      "declaring XML 1.1",
      `<?xml version="1.1"?><rss version="2.0"><channel><title>&#x1;</title></channel></rss>`,
    ],
    ["not XML at all", "<<<>>> &&& </"],
  ])("a document %s leaves nothing behind for the next one", (_name, bad) => {
    // Stray closing tags first: a node stack left over would give them old nodes to close.
    const good = `</item></channel><rss version="2.0"><channel><title>a &#x1; &amp; b</title><item><guid>g</guid></item></channel></rss>`;
    const alone = JSON.stringify(parseText(good));
    try {
      parseText(bad);
    } catch {
      // a refused document is as good a test as a parsed one
    }
    expect(JSON.stringify(parseText(good))).toBe(alone);
  });
});
