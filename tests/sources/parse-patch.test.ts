import { describe, expect, spyOn, test } from "bun:test";
import { readFileSync } from "node:fs";
import { ExpressionSet } from "path-expression-matcher";
import { parseText } from "../../src/sources/parse.ts";
import { corpusParseDigests, DIGEST_FILE } from "./parse-digest.ts";

const rss = (n: number) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>t${n}</title><item><guid>g${n}</guid><title>i${n}</title></item></channel></rss>`;

describe("feed parsing with fast-xml-parser patched (patches/): stop-node patterns built once", () => {
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
});
