/**
 * Turns feed-supplied HTML or text into plain text that is safe to show anywhere:
 * no tags, entities decoded once, no control or bidi-override characters, whitespace collapsed.
 */

const NAMED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  ndash: "–",
  mdash: "—",
  hellip: "…",
  lsquo: "‘",
  rsquo: "’",
  sbquo: "‚",
  ldquo: "“",
  rdquo: "”",
  bdquo: "„",
  laquo: "«",
  raquo: "»",
  lsaquo: "‹",
  rsaquo: "›",
  bull: "•",
  middot: "·",
  copy: "©",
  reg: "®",
  trade: "™",
  deg: "°",
  plusmn: "±",
  times: "×",
  divide: "÷",
  frac12: "½",
  frac14: "¼",
  frac34: "¾",
  euro: "€",
  pound: "£",
  yen: "¥",
  cent: "¢",
  sect: "§",
  para: "¶",
  dagger: "†",
  Dagger: "‡",
  prime: "′",
  Prime: "″",
  larr: "←",
  rarr: "→",
  uarr: "↑",
  darr: "↓",
  harr: "↔",
  iexcl: "¡",
  iquest: "¿",
  shy: "",
  zwj: "",
  zwnj: "",
  ensp: " ",
  emsp: " ",
  thinsp: " ",
  auml: "ä",
  ouml: "ö",
  uuml: "ü",
  Auml: "Ä",
  Ouml: "Ö",
  Uuml: "Ü",
  szlig: "ß",
  eacute: "é",
  egrave: "è",
  ecirc: "ê",
  euml: "ë",
  Eacute: "É",
  Egrave: "È",
  aacute: "á",
  agrave: "à",
  acirc: "â",
  atilde: "ã",
  aring: "å",
  aelig: "æ",
  ccedil: "ç",
  Ccedil: "Ç",
  iacute: "í",
  igrave: "ì",
  icirc: "î",
  iuml: "ï",
  ntilde: "ñ",
  Ntilde: "Ñ",
  oacute: "ó",
  ograve: "ò",
  ocirc: "ô",
  otilde: "õ",
  oslash: "ø",
  uacute: "ú",
  ugrave: "ù",
  ucirc: "û",
  yacute: "ý",
  yuml: "ÿ",
};

/** Decodes numeric and common named character references; unknown names are left as written. */
export function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(
    /&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z][a-zA-Z0-9]{1,31});?/g,
    (whole, ref: string) => {
      if (ref.startsWith("#")) {
        const code =
          ref[1] === "x" || ref[1] === "X"
            ? Number.parseInt(ref.slice(2), 16)
            : Number.parseInt(ref.slice(1), 10);
        if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
          return "\uFFFD";
        return String.fromCodePoint(code);
      }
      const named = NAMED[ref];
      return named === undefined ? whole : named;
    },
  );
}

/** Elements whose whole content is dropped, not just their tags. */
const DROP_BLOCKS =
  /<(script|style|iframe|object|embed|noscript|template|svg|math|head|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
const CDATA = /<!\[CDATA\[([\s\S]*?)(?:\]\]>|$)/g;
/** Anything shaped like a tag, declaration or processing instruction, closed or running to the end. */
const TAG = /<\/?[a-zA-Z!?][^>]*(?:>|$)/g;
const BLOCK_BREAK = /<\/?(p|div|br|li|ul|ol|h[1-6]|tr|td|th|blockquote|pre|hr|section|article)\b[^>]*>/gi;

/** C0/C1 controls (except whitespace, handled by collapsing), bidi overrides, BOM, lone surrogates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const INVISIBLE = /[\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function stripTags(html: string): string {
  return html
    .replace(COMMENT, " ")
    .replace(CDATA, "$1")
    .replace(DROP_BLOCKS, " ")
    .replace(BLOCK_BREAK, " ")
    .replace(TAG, "");
}

/** Removes control characters and collapses all whitespace runs to single spaces. */
export function cleanText(text: string): string {
  return text
    .replace(LONE_SURROGATE, "\uFFFD")
    .replace(CONTROL, "")
    .replace(INVISIBLE, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Cuts at `max` characters (on a code point boundary), marking the cut with an ellipsis. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = [...text.slice(0, max)];
  if (cut.length > max - 1) cut.length = max - 1;
  let s = cut.join("");
  const lastSpace = s.lastIndexOf(" ");
  if (lastSpace > max * 0.6) s = s.slice(0, lastSpace);
  return `${s.trimEnd()}…`;
}

/**
 * Feed HTML (or text that may contain markup) to plain text. Tags are removed before and after
 * entity decoding, so an escaped `&lt;script&gt;` cannot come back as markup.
 */
export function htmlToText(html: string, max = Number.POSITIVE_INFINITY): string {
  let text = stripTags(html);
  text = decodeEntities(text);
  text = stripTags(text);
  text = cleanText(text);
  return Number.isFinite(max) ? capText(text, max) : text;
}
