import { describe, expect, test } from "bun:test";
import { parseFeed } from "feedsmith";
import { parseText } from "../../src/sources/parse.ts";

const LAUGHS = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<rss version="2.0"><channel><title>&b;</title></channel></rss>`;
const EXTERNAL = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>
<rss version="2.0"><channel><title>&x;</title></channel></rss>`;

describe("feedsmith / fast-xml-parser as shipped (canaries for an upgrade)", () => {
  test("internal DTD entities are not expanded even without afk's guard", () => {
    const parsed = parseFeed(LAUGHS);
    expect(parsed.format).toBe("rss");
    expect((parsed.feed as { title?: string }).title).toBe("&b;");
  });

  test("an external entity declaration makes the raw parser throw, so afk must strip the DOCTYPE first", () => {
    expect(() => parseFeed(EXTERNAL)).toThrow();
  });
});

describe("parseText", () => {
  test("strips the DOCTYPE, so a feed declaring an external entity still parses, unexpanded", () => {
    const out = parseText(EXTERNAL);
    expect(out).toMatchObject({ doctypeStripped: true, declaredEntities: true });
    expect((out.parsed.feed as { title?: string }).title).toBe("&x;");
  });

  test("a well-formed feed with nothing recognisable is an empty feed, not an error", () => {
    expect(parseText('<rss version="2.0"></rss>').parsed).toEqual({ format: "rss", feed: {} });
  });

  test("a document cut off inside its last closing tag is repaired", () => {
    const out = parseText('<rss version="2.0"><channel><title>t</title></channel></rss');
    expect((out.parsed.feed as { title?: string }).title).toBe("t");
  });

  test.each([
    ["plain text", "hello"],
    ["HTML", "<html><body>hi</body></html>"],
    ["broken XML", '<rss version="2.0"><channel><title>t</channel>'],
    ["JSON that is not a feed", '{"a": 1}'],
  ])("%s is a `parse` FeedError", (_name, text) => {
    expect(() => parseText(text)).toThrow(expect.objectContaining({ name: "FeedError", code: "parse" }));
  });
});
