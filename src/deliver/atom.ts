import type { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { digestTicks } from "./archive-query.ts";
import { digestMessage } from "./digest.tsx";

const XML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

function xml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/** An entry's id: the spec and the slot only, so a regenerated digest (`--force`) updates the same entry. */
export function entryId(specName: string, slot: string): string {
  return `tag:afk,2026:${specName}/${slot}`;
}

export interface AtomInput {
  db: Database;
  home: string;
  specName: string;
  version: string;
  entries: number;
  /** Absolute origin for links (the status server's); none for out/digests.atom. */
  base?: string;
}

/**
 * The last `entries` digests as an Atom 1.0 feed, newest first: one entry per slot with a stable
 * id, `updated` (when its tick ended) and the rendered digest as escaped HTML content. The text
 * depends only on the ledger and out/, so the same digests give the same bytes (and ETag).
 */
export function renderAtom(input: AtomInput): string {
  const rows = digestTicks(input.db, input.entries);
  const entries: string[] = [];
  let newest = "1970-01-01T00:00:00.000Z";
  for (const t of rows) {
    if (!t.out_path) continue;
    const msg = digestMessage(input.home, t.slot, t.out_path, `${input.specName} ${t.slot.slice(0, 10)}`);
    if (!msg) continue;
    const updated = t.ended_at ?? t.started_at;
    if (updated > newest) newest = updated;
    entries.push(
      [
        "  <entry>",
        `    <id>${xml(entryId(input.specName, t.slot))}</id>`,
        `    <title>${xml(msg.title)}</title>`,
        `    <updated>${xml(updated)}</updated>`,
        `    <published>${xml(t.slot)}</published>`,
        ...(input.base
          ? [
              `    <link rel="alternate" type="text/html" href="${xml(`${input.base}/digests/${encodeURIComponent(t.slot)}`)}"/>`,
            ]
          : []),
        `    <content type="html">${xml(msg.html)}</content>`,
        "  </entry>",
      ].join("\n"),
    );
  }
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${xml(entryId(input.specName, "digests"))}</id>`,
    `  <title>${xml(`afk · ${input.specName}`)}</title>`,
    `  <updated>${xml(newest)}</updated>`,
    "  <author><name>afk</name></author>",
    `  <generator version="${xml(input.version)}">afk</generator>`,
    ...(input.base
      ? [
          `  <link rel="self" type="application/atom+xml" href="${xml(`${input.base}/digests.atom`)}"/>`,
          `  <link rel="alternate" type="text/html" href="${xml(`${input.base}/digests`)}"/>`,
        ]
      : []),
    ...entries,
    "</feed>",
    "",
  ].join("\n");
}

/** A strong validator for the feed's bytes. */
export function atomEtag(body: string): string {
  return `"${createHash("sha256").update(body).digest("hex").slice(0, 32)}"`;
}

/** Whether an If-None-Match header names this ETag (a list, weak forms and `*` included). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}
