import type { ParsedFeed } from "./parse.ts";

/*
 * Reads the fields afk uses out of feedsmith's four shapes (RSS, RDF, Atom, JSON Feed), with the
 * namespace fallbacks real feeds rely on (dc:title, dc:date, content:encoded, atom:link, media:title).
 * Values come out raw; normalize.ts cleans them.
 */

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** The text of a value feedsmith produced: a string, `{ value }`, `{ href }`, or the first of a list. */
function str(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  if (Array.isArray(v)) return firstOf(v);
  const o = obj(v);
  if (o) return str(o.value ?? o["#text"] ?? o.href);
  return undefined;
}

/** The first of `vs` with text that is not blank. */
function firstOf(vs: readonly unknown[]): string | undefined {
  for (const v of vs) {
    const s = str(v);
    if (s !== undefined && s.trim() !== "") return s;
  }
  return undefined;
}

function list(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  return v === undefined || v === null ? [] : [v];
}

function firstStr(...vs: unknown[]): string | undefined {
  return firstOf(vs);
}

/** Picks an Atom-style link: rel=alternate (or no rel) first, then anything else that is not self/enclosure. */
function atomLink(links: unknown): string | undefined {
  let best: string | undefined;
  let bestRank = 3;
  for (const v of list(links)) {
    const l = obj(v);
    const href = l === undefined ? undefined : str(l.href);
    if (l === undefined || !href) continue;
    const r = linkRank(l);
    if (r < bestRank) {
      best = href;
      bestRank = r;
    }
  }
  return best;
}

/** How fit a link is to be the page's: alternate (or no rel) 0, not self/enclosure/replies/edit 1, else 2. */
function linkRank(l: Obj): number {
  const rel = str(l.rel) ?? "alternate";
  if (rel === "alternate") return 0;
  if (rel === "self" || rel === "enclosure" || rel === "replies" || rel === "edit") return 2;
  return 1;
}

/** One entry's fields as the feed wrote them: nothing is cleaned yet. */
export interface RawEntry {
  id?: string;
  title?: string;
  link?: string;
  published?: string;
  summary?: string;
}

/** The feed's own title and link, whatever its format. */
export function rawFeedHeader(parsed: ParsedFeed): { title?: string; link?: string } {
  const f = parsed.feed as Obj;
  switch (parsed.format) {
    case "rss":
    case "rdf":
      return {
        title: firstStr(f.title, obj(f.dc)?.titles, obj(f.atom)?.title),
        link: firstStr(f.link, atomLink(obj(f.atom)?.links)),
      };
    case "atom":
      return { title: firstStr(f.title, obj(f.dc)?.titles), link: atomLink(f.links) };
    case "json":
      return { title: firstStr(f.title), link: firstStr(f.home_page_url) };
  }
}

/** Every entry's id, title, link, date and summary, whatever the format, in document order. */
export function rawEntries(parsed: ParsedFeed): RawEntry[] {
  const f = parsed.feed as Obj;
  switch (parsed.format) {
    case "rss":
    case "rdf":
      return list(f.items).map((v) => {
        const e = obj(v) ?? {};
        const dc = obj(e.dc);
        const atom = obj(e.atom);
        const media = obj(e.media);
        return {
          id: firstStr(e.guid, obj(e.rdf)?.about, atom?.id, dc?.identifiers),
          title: firstStr(e.title, dc?.titles, atom?.title, media?.title),
          // Each fallback is looked for only when the one before it has nothing (most items have a link).
          link: firstStr(e.link) ?? firstStr(atomLink(atom?.links)) ?? firstStr(permalinkGuid(e.guid)),
          published: firstStr(e.pubDate, dc?.dates, atom?.published, atom?.updated, obj(e.dcterms)?.issued),
          summary: firstStr(
            e.description,
            obj(e.content)?.encoded,
            atom?.summary,
            atom?.content,
            dc?.descriptions,
            media?.description,
          ),
        };
      });
    case "atom":
      return list(f.entries).map((v) => {
        const e = obj(v) ?? {};
        return {
          id: firstStr(e.id),
          title: firstStr(e.title),
          link: atomLink(e.links),
          published: firstStr(e.published, e.updated, obj(e.dc)?.dates),
          summary: firstStr(e.summary, e.content),
        };
      });
    case "json":
      return list(f.items).map((v) => {
        const e = obj(v) ?? {};
        return {
          id: firstStr(e.id),
          title: firstStr(e.title),
          link: firstStr(e.url, e.external_url),
          published: firstStr(e.date_published, e.date_modified),
          summary: firstStr(e.summary, e.content_text, e.content_html),
        };
      });
  }
}

/** An RSS guid that is a permalink (isPermaLink not "false") doubles as the item's link. */
function permalinkGuid(guid: unknown): string | undefined {
  const g = obj(guid);
  if (g && (g.isPermaLink === false || g.ispermalink === false || str(g.isPermaLink) === "false"))
    return undefined;
  const v = str(guid);
  return v && /^https?:\/\//i.test(v.trim()) ? v : undefined;
}
