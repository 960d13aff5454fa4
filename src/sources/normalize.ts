import { createHash } from "node:crypto";
import { isoDate } from "./dates.ts";
import { rawEntries, rawFeedHeader } from "./extract.ts";
import { httpBase, safeLink } from "./links.ts";
import type { ParsedFeed } from "./parse.ts";
import { htmlToText } from "./sanitize.ts";
import type { FeedItem } from "./types.ts";

/** A normalised feed: only plain, capped text and safe links, ready to become FeedItems. */
export interface NormalizedFeed {
  title: string | null;
  link: string | null;
  items: Omit<FeedItem, "sourceId" | "sourceName">[];
}

export interface NormalizeOptions {
  /** Where the feed came from (http(s) URL), used to resolve relative links. Null for local files. */
  baseUrl: string | null;
  summaryMax?: number;
  titleMax?: number;
  maxItems?: number;
}

const IDENTITY_MAX = 512;

/** A stable identity for an entry with neither id nor link: a hash of what it says. */
function contentIdentity(title: string, summary: string, published: string | null): string | null {
  if (title === "" && summary === "") return null;
  const digest = createHash("sha256")
    .update(`${title}\n${published ?? ""}\n${summary}`)
    .digest("hex");
  return `sha256:${digest.slice(0, 32)}`;
}

/**
 * Normalises a parsed feed: every string becomes plain capped text, every link absolute http(s)
 * (or null), dates ISO UTC (or null). Entries with no identity at all are dropped.
 */
export function normalizeFeed(parsed: ParsedFeed, opts: NormalizeOptions): NormalizedFeed {
  const summaryMax = opts.summaryMax ?? 400;
  const titleMax = opts.titleMax ?? 300;
  const header = rawFeedHeader(parsed);
  const feedLink = safeLink(header.link, opts.baseUrl);
  const base = httpBase(opts.baseUrl, feedLink);
  const title = header.title === undefined ? "" : htmlToText(header.title, titleMax);
  const items: NormalizedFeed["items"] = [];
  const seen = new Set<string>();
  for (const raw of rawEntries(parsed)) {
    if (opts.maxItems !== undefined && items.length >= opts.maxItems) break;
    const link = safeLink(raw.link, base);
    const entryTitle = raw.title === undefined ? "" : htmlToText(raw.title, titleMax);
    const summary = raw.summary === undefined ? "" : htmlToText(raw.summary, summaryMax);
    const published = isoDate(raw.published);
    const id = raw.id === undefined ? "" : htmlToText(raw.id, IDENTITY_MAX);
    const identity = id !== "" ? id : (link ?? contentIdentity(entryTitle, summary, published));
    if (identity === null || seen.has(identity)) continue;
    seen.add(identity);
    items.push({ identity, title: entryTitle, link, published, summary });
  }
  return { title: title === "" ? null : title, link: feedLink, items };
}
