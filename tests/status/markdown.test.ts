import { describe, expect, test } from "bun:test";
import { SafeMarkdown } from "../../src/status/markdown.tsx";

const html = (text: string) => String(SafeMarkdown({ text }));

describe("safe Markdown subset", () => {
  test.each([
    ["# <img src=x onerror=alert(1)>", "<h3>&lt;img src=x onerror=alert(1)&gt;</h3>"],
    [
      "## [\\<b\\>hi\\</b\\>](https://e.x/a)",
      '<h4><a href="https://e.x/a" rel="nofollow noopener noreferrer">&lt;b&gt;hi&lt;/b&gt;</a></h4>',
    ],
    ["[click](javascript:alert(1))", "<p><span>click</span></p>"], // not a link: text only
    [
      "## [Unix](https://en.wikipedia.org/wiki/Unix_(disambiguation))",
      '<h4><a href="https://en.wikipedia.org/wiki/Unix_(disambiguation)" rel="nofollow noopener noreferrer">Unix</a></h4>',
    ],
    [
      "[a](https://e.x/f(1)(2)) after",
      '<p><a href="https://e.x/f(1)(2)" rel="nofollow noopener noreferrer">a</a> after</p>',
    ],
    [
      '[q](https://e.x/"onmouseover="x)',
      '<p><a href="https://e.x/&quot;onmouseover=&quot;x" rel="nofollow noopener noreferrer">q</a></p>',
    ],
    ["*Bun blog* · 2026-11-23", "<p><em>Bun blog</em> · 2026-11-23</p>"],
    ["_slot · 7 items_", "<p><em>slot · 7 items</em></p>"],
    ["- one\n- **two**", "<ul><li>one</li><li><strong>two</strong></li></ul>"],
    ["<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"],
  ])("%p renders as %p", (md, expected) => {
    expect(html(md)).toBe(`<div class="digest">${expected}</div>`);
  });
});
