/** @jsxImportSource hono/jsx */
import { existsSync, readFileSync, statSync } from "node:fs";
import { relative, resolve } from "node:path";
import { SafeMarkdown } from "../status/markdown.tsx";

/** A digest as every sink and the feed see it: Markdown, its HTML, a title, the slot. */
export interface DigestMessage {
  slot: string;
  title: string;
  markdown: string;
  html: string;
  outPath: string;
}

const MAX_BYTES = 1024 * 1024;

/** A digest's text, only from inside out/ and only up to a sane size; null when it is gone. */
export function readOutFile(home: string, outPath: string): string | null {
  const outDir = resolve(home, "out");
  const path = resolve(home, outPath);
  const rel = relative(outDir, path);
  if (rel.startsWith("..") || rel === "" || !existsSync(path) || statSync(path).size > MAX_BYTES) return null;
  return readFileSync(path, "utf8");
}

/** The digest's `# title` line as plain text (its Markdown escapes undone). */
export function digestTitle(markdown: string, fallback: string): string {
  const line = /^#\s+(.+)$/m.exec(markdown)?.[1];
  return line ? line.replace(/\\(.)/g, "$1").trim() : fallback;
}

/** The rendered digest: the status page's safe Markdown subset, every feed string escaped. */
export function digestHtml(markdown: string): string {
  return String(<SafeMarkdown text={markdown} />);
}

export function digestMessage(
  home: string,
  slot: string,
  outPath: string,
  fallbackTitle: string,
): DigestMessage | null {
  const markdown = readOutFile(home, outPath);
  if (markdown === null) return null;
  return { slot, title: digestTitle(markdown, fallbackTitle), markdown, html: digestHtml(markdown), outPath };
}
