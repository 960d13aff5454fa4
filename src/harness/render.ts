import type { Draft } from "../models/draft.ts";
import type { FeedItem } from "../sources/types.ts";

/** Markdown-escapes text that came from a feed or a model, so it renders as text, never as markup or HTML. */
export function mdText(s: string): string {
  return s
    .replace(/[\\`*[\]<>]/g, (c) => `\\${c}`)
    .replace(/^([#>+-])/, "\\$1")
    .replace(/\s+/g, " ")
    .trim();
}

/** Link targets in Markdown: percent-encode what could close or break the `(…)` part. */
export function mdUrl(url: string): string {
  return url.replace(/[()<> ]/g, (c) => encodeURIComponent(c));
}

export interface RenderInput {
  draft: Draft;
  candidates: readonly FeedItem[];
  slotLabel: string;
  writtenBy: string;
}

/**
 * The digest as Markdown. Titles, source names and links come from the candidates (normalised
 * feed data), never from the model; the model only contributes the title line and summaries.
 */
export function renderDigest({ draft, candidates, slotLabel, writtenBy }: RenderInput): string {
  const byLink = new Map(candidates.map((c) => [c.link, c]));
  const lines = [
    `# ${mdText(draft.title)}`,
    "",
    `_${mdText(slotLabel)} · ${draft.entries.length} items · written by ${writtenBy}_`,
    "",
  ];
  for (const e of draft.entries) {
    const item = byLink.get(e.link);
    if (!item?.link) continue;
    lines.push(`## [${mdText(item.title || item.link)}](${mdUrl(item.link)})`, "");
    lines.push(
      `*${mdText(item.sourceName)}*${item.published ? ` · ${item.published.slice(0, 10)}` : ""}`,
      "",
    );
    lines.push(mdText(e.summary), "");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
