import { parseFeed } from "feedsmith";
import { FeedError } from "./types.ts";

/** What feedsmith returns: one of four formats, each with its own shape. */
export type ParsedFeed = ReturnType<typeof parseFeed>;

/** Parses decoded feed text (RSS 2.0/1.0, Atom, JSON Feed). Anything feedsmith rejects is a `parse` FeedError. */
export function parseText(text: string): ParsedFeed {
  try {
    return parseFeed(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new FeedError("parse", `not a feed: ${message.split("\n")[0]}`);
  }
}
