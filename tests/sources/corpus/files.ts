import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { NormalizedFeed } from "../../../src/sources/normalize.ts";
import { feedFromBytes } from "../../../src/sources/pipeline.ts";
import { FeedError } from "../../../src/sources/types.ts";

import { CORPUS } from "../../support/corpus.ts";

export { CORPUS };

/** Every file under `dir`, sorted, as paths relative to CORPUS. */
export function listFiles(dir: string, keep: (name: string) => boolean = () => true): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile() && keep(entry.name)) out.push(relative(CORPUS, p));
    }
  };
  walk(join(CORPUS, dir));
  return out.sort();
}

export function readCorpus(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(join(CORPUS, rel)));
}

/** How one corpus file ended: a normalised feed, afk's own FeedError, or a crash (anything else thrown). */
export type Outcome =
  | { kind: "feed"; feed: NormalizedFeed; ms: number }
  | { kind: "feed_error"; error: FeedError; ms: number }
  | { kind: "crash"; error: unknown; ms: number };

/** Runs the bytes-to-feed pipeline on one file, as if served with `contentType` from `baseUrl`. */
export function runPipeline(bytes: Uint8Array, contentType: string | null, baseUrl: string | null): Outcome {
  const started = performance.now();
  try {
    const { feed } = feedFromBytes(bytes, contentType, baseUrl, 400);
    return { kind: "feed", feed, ms: performance.now() - started };
  } catch (error) {
    const ms = performance.now() - started;
    return error instanceof FeedError ? { kind: "feed_error", error, ms } : { kind: "crash", error, ms };
  }
}

/** Every string a normalised feed carries: what must be safe to show anywhere. */
export function allStrings(feed: NormalizedFeed): string[] {
  const out: string[] = [];
  if (feed.title !== null) out.push(feed.title);
  if (feed.link !== null) out.push(feed.link);
  for (const item of feed.items) {
    out.push(item.identity, item.title, item.summary);
    if (item.link !== null) out.push(item.link);
    if (item.published !== null) out.push(item.published);
  }
  return out;
}
