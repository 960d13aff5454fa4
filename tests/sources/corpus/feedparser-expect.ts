/** The parts of a feedparser test file's leading comment that afk can check. */
export interface FeedparserCase {
  description: string;
  expect: string;
  /** HTTP headers the file pretends to be served with (lower-case names). */
  headers: Record<string, string>;
  /** Simple string equalities on the keys afk also produces. */
  clauses: Clause[];
}

export type ClauseKey = "feed.title" | "entries[0].title" | "entries[0].link";

export interface Clause {
  key: ClauseKey;
  expected: string;
}

/** Decodes a Python string literal body (escapes \\n, \\t, \\xHH, \\uHHHH, \\UHHHHHHHH, quotes). */
export function pythonString(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|.)/g, (_, e: string) => {
    const c = e[0];
    if (c === "x" || c === "u" || c === "U") return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
    if (c !== undefined && c >= "0" && c <= "7") return String.fromCodePoint(Number.parseInt(e, 8));
    const simple: Record<string, string> = {
      n: "\n",
      t: "\t",
      r: "\r",
      "\\": "\\",
      "'": "'",
      '"': '"',
      a: "\x07",
      b: "\b",
      f: "\f",
      v: "\v",
    };
    return simple[e] ?? `\\${e}`;
  });
}

const KEYS: Record<string, ClauseKey> = {
  "feed['title']": "feed.title",
  "entries[0]['title']": "entries[0].title",
  "entries[0]['link']": "entries[0].link",
};

const LITERAL = String.raw`u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")`;
/** `key == 'a'`, or a concatenation `key == 'a' + 'b'`, followed by `and` or the end. */
const CLAUSE = new RegExp(
  String.raw`(feed\['title'\]|entries\[0\]\['title'\]|entries\[0\]\['link'\]) == (${LITERAL}(?:\s*\+\s*${LITERAL})*)(?=\s*(?:and\b|$))`,
  "g",
);

/** The value of a literal or a `+` concatenation of literals. */
function pythonLiterals(expr: string): string {
  let out = "";
  for (const m of expr.matchAll(/u?(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g))
    out += pythonString(m[1] ?? m[2] ?? "");
  return out;
}

/**
 * Reads the leading comment of a feedparser test file (ASCII-compatible or UTF-16/32 files alike:
 * the caller passes decoded text). Clauses are taken only from expressions joined by `and`, where
 * each one must hold.
 */
export function feedparserCase(text: string): FeedparserCase | null {
  const comment = /<!--([\s\S]*?)-->/.exec(text)?.[1] ?? /^\s*\/\*([\s\S]*?)\*\//.exec(text)?.[1] ?? null;
  if (comment === null) return null;
  const line = (name: string) => new RegExp(`^\\s*${name}:\\s*(.*)$`, "m").exec(comment)?.[1]?.trim() ?? "";
  const headers: Record<string, string> = {};
  for (const m of comment.matchAll(/^\s*Header:\s*([A-Za-z-]+):\s*(.*)$/gm)) {
    if (m[1] !== undefined && m[2] !== undefined) headers[m[1].toLowerCase()] = m[2].trim();
  }
  const expect = line("Expect");
  const clauses: Clause[] = [];
  if (!/\bor\b/.test(expect.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''"))) {
    for (const m of expect.matchAll(CLAUSE)) {
      const key = KEYS[m[1] ?? ""];
      const expr = m[2];
      if (key !== undefined && expr !== undefined) clauses.push({ key, expected: pythonLiterals(expr) });
    }
  }
  return { description: line("Description"), expect, headers, clauses };
}
