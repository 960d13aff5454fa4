import { describe, expect, test } from "bun:test";
import { rawEntries, rawFeedHeader } from "../../src/sources/extract.ts";
import type { ParsedFeed } from "../../src/sources/parse.ts";

/*
 * Crafted shapes the corpora rarely hold: ties between links, blank and empty values, nested
 * lists. Each expectation is what extract.ts has always answered (pipeline-digest.json holds the
 * corpora); a rewrite for speed must answer the same.
 */

const atom = (links: unknown, extra: Record<string, unknown> = {}) =>
  ({ format: "atom", feed: { entries: [{ id: "e", links, ...extra }] } }) as unknown as ParsedFeed;
const rss = (item: Record<string, unknown>) =>
  ({ format: "rss", feed: { items: [item] } }) as unknown as ParsedFeed;
const linkOf = (p: ParsedFeed) => rawEntries(p)[0]?.link;

describe("which Atom link is an entry's page", () => {
  test.each([
    ["the first of two alternates", [{ href: "a1" }, { href: "a2", rel: "alternate" }], "a1"],
    ["an alternate after a self link", [{ href: "s", rel: "self" }, { href: "a" }], "a"],
    [
      "a related link over an enclosure",
      [
        { href: "e", rel: "enclosure" },
        { href: "r", rel: "related" },
      ],
      "r",
    ],
    [
      "the first of self and edit when nothing else is there",
      [
        { href: "s", rel: "self" },
        { href: "x", rel: "edit" },
      ],
      "s",
    ],
    ["an empty rel counts as another kind, not alternate", [{ href: "empty", rel: "" }, { href: "a" }], "a"],
    [
      "a link with no href is skipped",
      [{ rel: "alternate" }, { href: "", rel: "alternate" }, { href: "h", rel: "self" }],
      "h",
    ],
    ["a single link object, not a list", { href: "only" }, "only"],
    ["an href given as { value }", [{ href: { value: "v" } }], "v"],
    ["nothing usable", [{ rel: "alternate" }, "not-an-object", null], undefined],
  ])("%s", (_name, links, expected) => {
    expect(linkOf(atom(links))).toBe(expected);
  });

  test("a blank href is kept by the ranking but never wins over a later text (firstStr skips blanks)", () => {
    const parsed = rss({ atom: { links: [{ href: "   " }] }, guid: "https://g.example/1" });
    expect(linkOf(parsed)).toBe("https://g.example/1");
  });
});

describe("an RSS item's link, id and title", () => {
  test("<link> first, then atom:link, then a permalink guid", () => {
    expect(linkOf(rss({ link: "l", atom: { links: [{ href: "a" }] }, guid: "https://g/1" }))).toBe("l");
    expect(linkOf(rss({ link: " ", atom: { links: [{ href: "a" }] }, guid: "https://g/1" }))).toBe("a");
    expect(linkOf(rss({ guid: "https://g/1" }))).toBe("https://g/1");
    expect(linkOf(rss({ guid: { value: "https://g/2", isPermaLink: false } }))).toBeUndefined();
    expect(linkOf(rss({ guid: "urn:x" }))).toBeUndefined();
  });

  test("lists give their first non-blank text, however nested; numbers become text", () => {
    const [e] = rawEntries(rss({ title: ["", [" ", { value: "deep" }], "later"], guid: 42 }));
    expect(e).toMatchObject({ title: "deep", id: "42" });
  });

  test("the feed's own title and link fall back through dc and atom", () => {
    const parsed = {
      format: "rss",
      feed: {
        title: " ",
        dc: { titles: ["DC title"] },
        atom: { links: [{ href: "self", rel: "self" }, { href: "home" }] },
      },
    } as unknown as ParsedFeed;
    expect(rawFeedHeader(parsed)).toEqual({ title: "DC title", link: "home" });
  });
});
