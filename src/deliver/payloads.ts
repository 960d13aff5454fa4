import type { WebhookFormat } from "../spec/schema.ts";
import type { DigestMessage } from "./digest.tsx";
import type { SendContext } from "./sink.ts";

/** Chat services cut long messages; these keep a digest readable and under their limits. */
export const SLACK_MAX_CHARS = 3000;
export const DISCORD_MAX_CHARS = 4000;

function clipChars(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Slack mrkdwn: `&<>` escaped, `[label](url)` as `<url|label>`, headings bold, Markdown escapes undone. */
export function slackText(markdown: string): string {
  const esc = (s: string) =>
    s.replace(/\\(.)/g, "$1").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return markdown
    .split("\n")
    .map((line) => {
      const heading = /^#{1,6}\s+(.*)$/.exec(line);
      const body = heading ? (heading[1] as string) : line;
      let out = "";
      let last = 0;
      for (const m of body.matchAll(/\[((?:\\.|[^\]\\])*)\]\((https?:\/\/[^)\s]+)\)/g)) {
        out +=
          esc(body.slice(last, m.index)) +
          `<${(m[2] as string).replace(/[|>]/g, encodeURIComponent)}|${esc(m[1] as string).replace(/\|/g, "¦")}>`;
        last = (m.index ?? 0) + m[0].length;
      }
      out += esc(body.slice(last));
      return heading ? `*${out}*` : out;
    })
    .join("\n");
}

/**
 * The body a webhook receives, per format:
 * - `json`: `{ id, spec, slot, title, markdown, html, out_path }` (the whole digest),
 * - `slack`: `{ text }` in Slack mrkdwn, clipped to SLACK_MAX_CHARS,
 * - `discord`: `{ username: "afk", embeds: [{ title, description, timestamp }] }`, the Markdown clipped to DISCORD_MAX_CHARS.
 */
export function webhookBody(format: WebhookFormat, msg: DigestMessage, ctx: SendContext): unknown {
  switch (format) {
    case "json":
      return {
        id: ctx.deliveryId,
        spec: ctx.specName,
        slot: msg.slot,
        title: msg.title,
        markdown: msg.markdown,
        html: msg.html,
        out_path: msg.outPath,
      };
    case "slack":
      return { text: clipChars(slackText(msg.markdown), SLACK_MAX_CHARS) };
    case "discord":
      return {
        username: "afk",
        embeds: [
          {
            title: clipChars(msg.title, 256),
            description: clipChars(msg.markdown.replace(/^#\s+.*\n+/, ""), DISCORD_MAX_CHARS),
            timestamp: ctx.now.toISOString(),
          },
        ],
      };
    default:
      return format satisfies never;
  }
}
