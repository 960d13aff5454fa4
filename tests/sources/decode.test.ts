import { describe, expect, test } from "bun:test";
import { charsetOf, type Decoded, decodeFeed } from "../../src/sources/decode.ts";
import { FeedError } from "../../src/sources/types.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const bytes = (...parts: (number[] | Uint8Array)[]) => new Uint8Array(parts.flatMap((p) => [...p]));

function utf16(text: string, le: boolean, bom: boolean): Uint8Array {
  const out: number[] = bom ? (le ? [0xff, 0xfe] : [0xfe, 0xff]) : [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out.push(...(le ? [c & 0xff, c >> 8] : [c >> 8, c & 0xff]));
  }
  return new Uint8Array(out);
}

describe("decodeFeed", () => {
  test.each([
    [
      "a UTF-8 BOM beats a Content-Type charset",
      bytes([0xef, 0xbb, 0xbf], enc("<rss>é</rss>")),
      "text/xml; charset=iso-8859-1",
      "<rss>é</rss>",
      "bom",
    ],
    [
      "the Content-Type charset beats the XML declaration",
      bytes(enc('<?xml version="1.0" encoding="utf-8"?><rss>'), [0xe9], enc("</rss>")),
      "application/rss+xml; charset=windows-1252",
      '<?xml version="1.0" encoding="utf-8"?><rss>é</rss>',
      "content-type",
    ],
    [
      "the XML declaration applies when the header has no charset",
      bytes(enc('<?xml version="1.0" encoding="ISO-8859-1"?><t>'), [0xe9], enc("</t>")),
      "application/xml",
      '<?xml version="1.0" encoding="ISO-8859-1"?><t>é</t>',
      "xml-declaration",
    ],
    ["UTF-8 is the default", enc("<t>ü</t>"), null, "<t>ü</t>", "default"],
    ["UTF-16LE with a BOM", utf16("<t>Ω</t>", true, true), null, "<t>Ω</t>", "bom"],
    [
      "UTF-16BE without a BOM is sniffed",
      utf16('<?xml version="1.0" encoding="utf-16"?><t>Ω</t>', false, false),
      null,
      '<?xml version="1.0" encoding="utf-16"?><t>Ω</t>',
      "xml-declaration",
    ],
    [
      "quoted, spaced charsets are read",
      bytes(enc("<t>"), [0xe9], enc("</t>")),
      'text/xml;charset= "iso-8859-1"',
      "<t>é</t>",
      "content-type",
    ],
  ] as [string, Uint8Array, string | null, string, Decoded["from"]][])(
    "%s",
    (_name, input, contentType, text, from) => {
      const d = decodeFeed(input, contentType);
      expect(d.text).toBe(text);
      expect(d.from).toBe(from);
      expect(d.replaced).toBe(false);
    },
  );

  test("an unknown label is skipped (as browsers do) and the next source of truth used", () => {
    const d = decodeFeed(enc('<?xml version="1.0" encoding="bogus"?><t>ü</t>'), "text/xml; charset=nonsense");
    expect(d).toMatchObject({
      encoding: "utf-8",
      from: "default",
      ignoredLabels: ["nonsense", "bogus"],
      replaced: false,
    });
  });

  test.each([
    ["a UTF-32 BOM", bytes([0xff, 0xfe, 0, 0], [0x3c, 0, 0, 0]), null],
    ["UTF-32 sniffed from the first bytes", bytes([0, 0, 0, 0x3c, 0, 0, 0, 0x3f]), null],
    ["a UTF-32 charset header", enc("<rss/>"), "application/xml; charset=UTF-32"],
    ["a UTF-32 XML declaration", enc('<?xml version="1.0" encoding="utf-32"?><rss/>'), null],
  ])("%s is an `encoding` FeedError", (_name, input, contentType) => {
    expect(() => decodeFeed(input, contentType)).toThrow(FeedError);
    try {
      decodeFeed(input, contentType);
    } catch (err) {
      expect((err as FeedError).code).toBe("encoding");
    }
  });

  test("invalid UTF-8 is replaced with U+FFFD, not fatal, and flagged", () => {
    const d = decodeFeed(bytes(enc("<t>a"), [0xc3, 0x28, 0xff], enc("b</t>")), "text/xml; charset=utf-8");
    expect(d).toMatchObject({ text: "<t>a\uFFFD(\uFFFDb</t>", replaced: true, encoding: "utf-8" });
  });

  test.each([
    ["text/xml; charset=utf-8", "utf-8"],
    ["text/xml;charset='us-ascii'", "us-ascii"],
    ["text/xml; qs=0.9", null],
    ["text/xml; charset:iso-8859-1", null],
    [null, null],
  ])("charsetOf(%p) is %p", (header, want) => {
    expect(charsetOf(header)).toBe(want);
  });
});
