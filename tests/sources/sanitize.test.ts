import { describe, expect, test } from "bun:test";
import { stripDoctype } from "../../src/sources/doctype.ts";
import { safeLink } from "../../src/sources/links.ts";
import { capText, cleanText, decodeEntities, htmlToText } from "../../src/sources/sanitize.ts";

describe("htmlToText", () => {
  test.each([
    ["<p>Hello <b>world</b></p>", "Hello world"],
    ["a<br>b", "a b"],
    ["<script>alert(1)</script>kept", "kept"],
    ["<style>p{}</style>kept", "kept"],
    ["&lt;script&gt;alert(1)&lt;/script&gt;after", "after"],
    ["x &amp;lt;b&amp;gt; y", "x &lt;b&gt; y"],
    ["AT&amp;T &copy; 2026 &#8212; &#x2603;", "AT&T © 2026 — ☃"],
    ['<img src=x onerror="alert(1)">caption', "caption"],
    ['<a href="javascript:alert(1)">link text</a>', "link text"],
    ["tab\tnew\nline\u0000nul\u0007bell\u202Eoverride", "tab new linenulbelloverride"],
    ["<!-- hidden --> shown <![CDATA[raw <i>text</i>]]>", "shown raw text"],
    ["unclosed <script src=x", "unclosed"],
    ["1 < 2 and 3 > 2", "1 < 2 and 3 > 2"],
    ["&unknown; stays", "&unknown; stays"],
    ["&#0; &#xD800; bad refs", "\uFFFD \uFFFD bad refs"],
    // Windows-1252 numeric references, as every browser reads them (HTML5's table), not dropped.
    ["it&#146;s a &#147;test&#148; &#150; ok", "it\u2019s a \u201Ctest\u201D \u2013 ok"],
    ["&#128;5 &#x99; &#133;", "\u20AC5 \u2122 \u2026"],
    ["HTML5 names: &hellip; &NotEqualTilde; &rarr;", "HTML5 names: \u2026 \u2242\u0338 \u2192"],
  ])("%p → %p", (input, want) => {
    expect(htmlToText(input)).toBe(want);
  });

  test("caps long text at a word boundary with an ellipsis", () => {
    const text = htmlToText(`<p>${"word ".repeat(200)}</p>`, 400);
    expect(text.length).toBeLessThanOrEqual(400);
    expect(text.endsWith("word…")).toBe(true);
  });

  test("capping never splits a surrogate pair", () => {
    const capped = capText("😀".repeat(10), 6);
    expect(capped).toBe("😀😀…");
    expect(cleanText(capped)).toBe(capped);
  });

  test("decodeEntities leaves malformed references alone", () => {
    expect(decodeEntities("a & b &amp c &;")).toBe("a & b &amp c &;");
  });
});

describe("safeLink", () => {
  test.each([
    ["https://example.org/a#frag", null, "https://example.org/a"],
    ["/post/1", "https://example.org/feed.xml", "https://example.org/post/1"],
    ["post/1", "https://example.org/blog/feed.xml", "https://example.org/blog/post/1"],
    ["  https://example.org/x \n", null, "https://example.org/x"],
    ["https://user:pass@example.org/", null, "https://example.org/"],
    ["java\tscript:alert(1)", "https://example.org/", null],
    ["javascript:alert(1)", "https://example.org/", null],
    ["JaVaScRiPt:alert(1)", null, null],
    ["data:text/html,<script>alert(1)</script>", null, null],
    ["vbscript:msgbox", null, null],
    ["file:///etc/passwd", null, null],
    ["/relative/without/base", null, null],
    ["", "https://example.org/", null],
  ])("safeLink(%p, %p) is %p", (raw, base, want) => {
    expect(safeLink(raw, base)).toBe(want);
  });
});

describe("stripDoctype", () => {
  test("removes a DOCTYPE with an internal subset, whatever it contains", () => {
    const text = `<?xml version="1.0"?>\n<!-- c --><!DOCTYPE rss [ <!ENTITY a "]>"> <!-- ]> --> <!ENTITY b SYSTEM "file:///etc/passwd"> ]><rss>&a;</rss>`;
    expect(stripDoctype(text)).toEqual({
      text: `<?xml version="1.0"?>\n<!-- c --><rss>&a;</rss>`,
      stripped: true,
      declaredEntities: true,
    });
  });

  test("removes a plain public DOCTYPE and leaves documents without one untouched", () => {
    expect(stripDoctype('<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "x.dtd"><rss/>')).toMatchObject(
      {
        text: "<rss/>",
        declaredEntities: false,
      },
    );
    expect(stripDoctype("<rss><![CDATA[<!DOCTYPE x>]]></rss>")).toMatchObject({ stripped: false });
  });

  test("an unterminated DOCTYPE is a parse error", () => {
    expect(() => stripDoctype('<!DOCTYPE x [ <!ENTITY a "never closed')).toThrow(/unterminated DOCTYPE/);
  });
});
