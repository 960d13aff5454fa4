import type { FeedItem } from "../sources/types.ts";

export interface TriageOptions {
  maxItems: number;
  keywords: Record<string, number>;
  maxAgeHours?: number | undefined;
  now: Date;
}

export interface Triaged {
  candidates: FeedItem[];
  /** Items seen this tick that had been delivered before. */
  alreadyDelivered: number;
  /** Items dropped because they had no usable http(s) link. */
  linkless: number;
  /** Same identity seen twice in this tick (two sources carrying one story). */
  duplicates: number;
}

/** Keyword weight (case-insensitive, whole words in title and summary) plus a recency bonus that halves daily. */
export function score(item: FeedItem, keywords: Record<string, number>, now: Date): number {
  const text = `${item.title} ${item.summary}`.toLowerCase();
  let s = 0;
  for (const [word, weight] of Object.entries(keywords)) {
    const escaped = word.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    if (new RegExp(`\\b${escaped}\\b`).test(text)) s += weight;
  }
  if (item.published) {
    const ageDays = Math.max(0, (now.getTime() - Date.parse(item.published)) / 86_400_000);
    s += 2 * 0.5 ** ageDays;
  }
  return s;
}

/** Drops seen, duplicate and linkless items, then keeps the best `maxItems` by score (ties: newest first). */
export function triage(
  items: readonly FeedItem[],
  delivered: ReadonlySet<string>,
  opts: TriageOptions,
): Triaged {
  const seen = new Set<string>();
  let alreadyDelivered = 0;
  let linkless = 0;
  let duplicates = 0;
  const fresh: FeedItem[] = [];
  for (const item of items) {
    if (!item.link) {
      linkless++;
      continue;
    }
    if (delivered.has(item.identity)) {
      alreadyDelivered++;
      continue;
    }
    if (seen.has(item.identity) || seen.has(item.link)) {
      duplicates++;
      continue;
    }
    if (opts.maxAgeHours !== undefined && item.published) {
      if (opts.now.getTime() - Date.parse(item.published) > opts.maxAgeHours * 3_600_000) continue;
    }
    seen.add(item.identity);
    seen.add(item.link);
    fresh.push(item);
  }
  const ranked = fresh
    .map((item) => ({ item, s: score(item, opts.keywords, opts.now) }))
    .sort((a, b) => b.s - a.s || (b.item.published ?? "").localeCompare(a.item.published ?? ""));
  return {
    candidates: ranked.slice(0, opts.maxItems).map((r) => r.item),
    alreadyDelivered,
    linkless,
    duplicates,
  };
}
