import { decodeHTMLStrict } from "entities";

/*
 * Turns feed-supplied HTML or text into plain text that is safe to show anywhere: no tags,
 * entities decoded, no control or bidi-override characters, whitespace collapsed, length capped.
 * Plain text is the only output, so nothing here has to decide which markup is "safe".
 */

/**
 * Decodes numeric and named character references the way a browser does (the `entities` package,
 * HTML5's table): `&#146;` is Windows-1252's right quote, as every browser reads it, not dropped.
 * Strict: a reference needs its `;`, so text like `&amp c` stays as written.
 */
export function decodeEntities(text: string): string {
  return text.includes("&") ? decodeHTMLStrict(text) : text;
}

/**
 * Elements whose whole content is dropped, not just their tags: code and styling, never text.
 * An unclosed one runs to the end, as a browser would read it.
 */
const DROP_BLOCKS = /<(script|style)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi;
const COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
const CDATA = /<!\[CDATA\[([\s\S]*?)(?:\]\]>|$)/g;
/** Anything shaped like a tag, declaration or processing instruction, closed or running to the end. */
const TAG = /<\/?[a-zA-Z!?][^>]*(?:>|$)/g;
const BLOCK_BREAK = /<\/?(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|blockquote|pre|hr|section|article)\b[^>]*>/gi;

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
/** Bidi overrides/isolates, directional marks and stray BOMs: invisible, and able to disguise text. */
const INVISIBLE = /[\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function stripTags(html: string): string {
  if (!html.includes("<")) return html;
  return html
    .replace(COMMENT, " ")
    .replace(CDATA, "$1")
    .replace(DROP_BLOCKS, " ")
    .replace(BLOCK_BREAK, " ")
    .replace(TAG, "");
}

/** Any character the three removals below act on: most feed text has none, and skips them. */
const UNCLEAN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\uD800-\uDFFF\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/;
/** Whitespace that collapsing would change: a run of two, or one that is not a plain space. */
const UNCOLLAPSED = /[^\S ]| {2}/;

/** Removes control and invisible characters and collapses every whitespace run to one space. */
export function cleanText(text: string): string {
  // Each removal scans and copies the text: every item's title and summary passes here per tick.
  const kept = UNCLEAN.test(text)
    ? text.replace(LONE_SURROGATE, "\uFFFD").replace(CONTROL, "").replace(INVISIBLE, "")
    : text;
  return (UNCOLLAPSED.test(kept) ? kept.replace(/\s+/g, " ") : kept).trim();
}

/** Cuts at `max` characters, on a word boundary when one is near, marking the cut with an ellipsis. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  let s = text.slice(0, Math.max(0, max - 1));
  if (/[\uD800-\uDBFF]$/.test(s)) s = s.slice(0, -1);
  const lastSpace = s.lastIndexOf(" ");
  if (lastSpace > max * 0.6) s = s.slice(0, lastSpace);
  return `${s.trimEnd()}…`;
}

/**
 * Feed HTML (or text that may carry markup) to plain text. Tags are stripped before and after
 * entity decoding, so an escaped `&lt;script&gt;` cannot come back as markup; the price is that
 * literal text shaped like a tag (`<b>`) is dropped too.
 */
export function htmlToText(html: string, max = Number.POSITIVE_INFINITY): string {
  const text = cleanText(stripTags(decodeEntities(stripTags(html))));
  return Number.isFinite(max) ? capText(text, max) : text;
}
