import { FeedError } from "./types.ts";

/** Result of removing a document type declaration. */
export interface DoctypeStrip {
  text: string;
  /** True when a DOCTYPE was found and removed. */
  stripped: boolean;
  /** True when it declared entities (the billion-laughs and external-entity shapes). */
  declaredEntities: boolean;
}

/** Scans past a quoted string or comment starting at `i`; returns the index after it, or -1 if unterminated. */
function skipQuotedOrComment(text: string, i: number): number {
  const c = text[i];
  if (c === '"' || c === "'") {
    const end = text.indexOf(c, i + 1);
    return end === -1 ? -1 : end + 1;
  }
  if (text.startsWith("<!--", i)) {
    const end = text.indexOf("-->", i + 4);
    return end === -1 ? -1 : end + 3;
  }
  return i;
}

/** Index just past the `>` that closes the DOCTYPE starting at `start`, honouring the internal subset. */
function doctypeEnd(text: string, start: number): number {
  let depth = 0;
  let i = start + "<!DOCTYPE".length;
  while (i < text.length) {
    const skipped = skipQuotedOrComment(text, i);
    if (skipped === -1) return -1;
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    const c = text[i];
    if (c === "[") depth++;
    else if (c === "]") depth = Math.max(0, depth - 1);
    else if (c === ">" && depth === 0) return i + 1;
    i++;
  }
  return -1;
}

/** Index of a `<!DOCTYPE` in the prolog (after BOM, whitespace, PIs and comments), or -1. */
function prologDoctype(text: string): number {
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "\uFEFF" || c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
    } else if (text.startsWith("<?", i)) {
      const end = text.indexOf("?>", i + 2);
      if (end === -1) return -1;
      i = end + 2;
    } else if (text.startsWith("<!--", i)) {
      const end = text.indexOf("-->", i + 4);
      if (end === -1) return -1;
      i = end + 3;
    } else {
      return text.slice(i, i + 9).toUpperCase() === "<!DOCTYPE" ? i : -1;
    }
  }
  return -1;
}

/**
 * Removes the DOCTYPE (and its internal subset) from the prolog before XML parsing, so no DTD
 * entity is ever expanded and no external entity is ever fetched, whatever the parser's defaults.
 * References to the removed entities stay in the text as written (`&lol9;`). Feeds never need a
 * DTD; an unterminated one is a `parse` FeedError.
 */
export function stripDoctype(text: string): DoctypeStrip {
  const start = prologDoctype(text);
  if (start === -1) return { text, stripped: false, declaredEntities: false };
  const end = doctypeEnd(text, start);
  if (end === -1) throw new FeedError("parse", "unterminated DOCTYPE declaration");
  const decl = text.slice(start, end);
  return {
    text: text.slice(0, start) + text.slice(end),
    stripped: true,
    declaredEntities: /<!ENTITY/i.test(decl),
  };
}
