/**
 * Loopback feed servers for the soak and the bench: every successful request to a feed
 * returns a new generation of items (three new ones, two seen before), so every slot has
 * fresh value to deliver. A feed's mode is switched at run time to inject faults.
 */

/** How a feed answers: normally, 503 (down), 404 (renamed away), or as Atom instead of RSS (shape change). */
export const FEED_MODES = ["rss", "unavailable", "gone", "atom"] as const;
export type FeedMode = (typeof FEED_MODES)[number];

export interface FeedServerOptions {
  /** Delay before each answer (the server's own timer); default 0. */
  delayMs?: number;
  /** New items per generation; default 3. */
  freshPerRequest?: number;
}

export interface FeedServer {
  readonly url: string;
  /** `url/feed/<id>`. */
  feedUrl(id: string): string;
  setMode(id: string, mode: FeedMode): void;
  mode(id: string): FeedMode;
  /** Requests answered 200 for a feed so far. */
  served(id: string): number;
  /** Every request received, all feeds. */
  total(): number;
  stop(): Promise<void>;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

interface Item {
  id: string;
  title: string;
  link: string;
  summary: string;
}

function itemsFor(base: string, feed: string, generation: number, fresh: number): Item[] {
  const out: Item[] = [];
  const last = (generation + 1) * fresh;
  for (let n = Math.max(0, last - fresh - 2); n < last; n++) {
    out.push({
      id: `${feed}-${n}`,
      title: `${feed} story ${n}: sqlite release notes`,
      link: `${base}/item/${feed}/${n}`,
      summary: `Story ${n} of ${feed}. A release of sqlite and bun was noted. More follows here.`,
    });
  }
  return out;
}

function rss(feed: string, items: Item[]): string {
  const body = items
    .map(
      (i) =>
        `<item><title>${escapeXml(i.title)}</title><link>${i.link}</link><guid>${i.id}</guid><description>${escapeXml(i.summary)}</description></item>`,
    )
    .join("");
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>${feed}</title><link>http://example.org/${feed}</link><description>soak feed</description>${body}</channel></rss>`;
}

function atom(feed: string, items: Item[]): string {
  const body = items
    .map(
      (i) =>
        `<entry><title>${escapeXml(i.title)}</title><link href="${i.link}"/><id>${i.id}</id><updated>2026-01-01T00:00:00Z</updated><summary>${escapeXml(i.summary)}</summary></entry>`,
    )
    .join("");
  return `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>${feed}</title><id>urn:${feed}</id><updated>2026-01-01T00:00:00Z</updated>${body}</feed>`;
}

/** Starts a feed server on 127.0.0.1 (a free port). Feeds exist as soon as they are requested. */
export function startFeedServer(opts: FeedServerOptions = {}): FeedServer {
  const modes = new Map<string, FeedMode>();
  const served = new Map<string, number>();
  const fresh = opts.freshPerRequest ?? 3;
  let total = 0;
  let base = "";
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    async fetch(req) {
      total++;
      const path = new URL(req.url).pathname;
      const m = path.match(/^\/feed\/([\w.-]+)$/);
      if (opts.delayMs) await Bun.sleep(opts.delayMs);
      if (!m?.[1]) return new Response("not found", { status: 404 });
      const id = m[1];
      const mode = modes.get(id) ?? "rss";
      if (mode === "unavailable") return new Response("service unavailable", { status: 503 });
      if (mode === "gone") return new Response("not found", { status: 404 });
      const generation = served.get(id) ?? 0;
      served.set(id, generation + 1);
      const items = itemsFor(base, id, generation, fresh);
      return mode === "atom"
        ? new Response(atom(id, items), { headers: { "content-type": "application/atom+xml" } })
        : new Response(rss(id, items), { headers: { "content-type": "application/rss+xml" } });
    },
  });
  base = `http://127.0.0.1:${server.port}`;
  return {
    url: base,
    feedUrl: (id) => `${base}/feed/${id}`,
    setMode: (id, mode) => modes.set(id, mode),
    mode: (id) => modes.get(id) ?? "rss",
    served: (id) => served.get(id) ?? 0,
    total: () => total,
    stop: () => server.stop(true),
  };
}
