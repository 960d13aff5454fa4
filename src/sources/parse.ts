import { ParseError, parseFeed } from "feedsmith";
import { stripDoctype } from "./doctype.ts";
import { FeedError } from "./types.ts";

/** What feedsmith returns: one of four formats, each with its own shape. */
export type ParsedFeed = ReturnType<typeof parseFeed<string>>;

/** A parsed feed plus what the guard removed before parsing. */
export interface ParseOutcome {
  parsed: ParsedFeed;
  doctypeStripped: boolean;
  declaredEntities: boolean;
}

/** Entries read per feed; the rest are never materialised. */
export const MAX_ENTRIES = 500;

/**
 * A document cut off inside its last closing tag (`…</rss` with no `>`) is repaired; anything
 * else ill-formed is left for the parser to reject.
 */
function closeTrailingTag(text: string): string {
  // Only the last `</` can start such a tail (a name and spaces hold no `<`): test from there, not
  // at every `</` of the document.
  const last = text.lastIndexOf("</");
  return last !== -1 && /^<\/[A-Za-z_][\w:.-]*\s*$/.test(text.slice(last)) ? `${text.trimEnd()}>` : text;
}

/**
 * Parses decoded feed text (RSS 2.0/0.9x, RSS 1.0/RDF, Atom, JSON Feed) after removing any DOCTYPE.
 * feedsmith runs fast-xml-parser with `processEntities: false`, so no DTD entity is expanded even
 * without the guard; the guard also keeps feeds that declare external entities parseable.
 * Anything feedsmith rejects (or any crash inside it) is a `parse` FeedError.
 */
export function parseText(text: string): ParseOutcome {
  const doc = stripDoctype(text);
  const flags = { doctypeStripped: doc.stripped, declaredEntities: doc.declaredEntities };
  try {
    return { parsed: parseFeed(closeTrailingTag(doc.text), { maxItems: MAX_ENTRIES }), ...flags };
  } catch (err) {
    // feedsmith recognised the format and the XML was well formed, but found nothing it knows:
    // a valid, empty feed (`<rss version="2.0"></rss>`), not a broken one.
    if (err instanceof ParseError) return { parsed: { format: "rss", feed: {} }, ...flags };
    const cause =
      err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    throw new FeedError("parse", `not a feed (${cause.split("\n")[0]})`);
  }
}
