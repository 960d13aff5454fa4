import type { FeedItem } from "../sources/types.ts";
import type { Draft } from "./draft.ts";

/** First one or two sentences of a summary, within `max` characters, cut at a word. */
export function leadSentences(text: string, max: number): string {
  const sentences = text.match(/[^.!?]+[.!?]+(\s|$)|[^.!?]+$/g) ?? [text];
  let out = (sentences[0] ?? "").trim();
  const second = sentences[1]?.trim();
  if (second && out.length + 1 + second.length <= max) out = `${out} ${second}`;
  if (out.length <= max) return out;
  const cut = out.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** What an entry says when its feed gave neither summary nor title. */
export const NO_SUMMARY = "The feed gave no summary for this item.";

/** The last link of the chain: no model, no network, always a draft. */
export function extractiveDraft(
  title: string,
  candidates: readonly FeedItem[],
  summaryMaxChars: number,
): Draft {
  return {
    title,
    entries: candidates.flatMap((c) =>
      c.link
        ? [{ link: c.link, summary: leadSentences(c.summary || c.title, summaryMaxChars) || NO_SUMMARY }]
        : [],
    ),
  };
}
