/**
 * 50 loopback sources (good, slow, broken, hostile) fetched in one fetchSources call.
 * Concurrent fetching means the run takes about the slowest timeout, not the sum of timeouts.
 *
 *   bun bench/sources-50.ts
 */
import { fetchSources } from "../src/sources/index.ts";
import type { SourceResult } from "../src/sources/types.ts";
import type { SourceSpec } from "../src/spec/schema.ts";
import { contextFor, loadedWith, tempDir } from "../tests/sources/helpers.ts";
import { rss, startFeedServer, streamBytes, trickle } from "../tests/sources/server.ts";

const LAUGHS = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<rss version="2.0"><channel><title>&d;</title><item><guid>l</guid><title>&d;</title></item></channel></rss>`;

const big = rss(
  "Big",
  Array.from({ length: 300 }, (_, i) => ({
    guid: `b${i}`,
    title: `Item ${i} <b>bold</b> &amp; more`,
    link: `/p/${i}`,
  })),
);

const srv = startFeedServer({
  "/good": () => new Response(rss("Good", [{ guid: "g", title: "Good item", link: "/g" }])),
  "/big": () => new Response(big),
  "/slow": async () => {
    await Bun.sleep(400);
    return new Response(rss("Slow", [{ guid: "s", title: "Slow item" }]));
  },
  "/trickle": () => trickle(rss("Trickle"), 1000),
  "/hang": () => new Promise<Response>(() => {}),
  "/500": () => new Response("boom", { status: 500 }),
  "/404": () => new Response("nope", { status: 404 }),
  "/html": () => new Response("<html><body>not a feed</body></html>"),
  "/loop": (_req, s) => Response.redirect(s.url("/loop"), 302),
  "/laughs": () => new Response(LAUGHS),
  "/huge": (_req, s) => streamBytes(s, "/huge", 60 * 1024 * 1024, "<rss><channel><title>"),
});

/** kind → route, how many sources of it, and their timeout. */
const MIX: [kind: string, path: string, count: number, timeout_s: number][] = [
  ["good", "/good", 14, 2],
  ["big (300 items)", "/big", 4, 2],
  ["slow (0.4 s)", "/slow", 6, 2],
  ["trickle", "/trickle", 4, 3],
  ["never answers", "/hang", 4, 3],
  ["HTTP 500", "/500", 4, 2],
  ["HTTP 404", "/404", 3, 2],
  ["not a feed", "/html", 3, 2],
  ["redirect loop", "/loop", 3, 2],
  ["billion laughs", "/laughs", 2, 2],
  ["60 MB body", "/huge", 3, 2],
];

const sources: Partial<SourceSpec>[] = MIX.flatMap(([, path, count, timeout_s], k) =>
  Array.from({ length: count }, (_, i) => ({
    id: `k${k}-${i}`,
    url: srv.url(path),
    timeout_s,
    max_bytes: 2_000_000,
  })),
);
if (sources.length !== 50) throw new Error(`expected 50 sources, got ${sources.length}`);

const { ctx } = contextFor(loadedWith(sources, tempDir("afk-bench-")));
const started = performance.now();
const results = await fetchSources(ctx);
const total = performance.now() - started;
await srv.stop();

const byKind = new Map<string, SourceResult[]>();
results.forEach((r, i) => {
  const k = Number(/^k(\d+)-/.exec(sources[i]?.id ?? "")?.[1]);
  const kind = MIX[k]?.[0] ?? "?";
  byKind.set(kind, [...(byKind.get(kind) ?? []), r]);
});

const rows = MIX.map(([kind, , count, timeout]) => {
  const rs = byKind.get(kind) ?? [];
  const ok = rs.filter((r) => r.ok).length;
  const codes = [...new Set(rs.flatMap((r) => (r.ok ? [] : [r.code])))].join(",") || "-";
  const items = rs.reduce((n, r) => n + (r.ok ? r.items.length : 0), 0);
  const maxMs = Math.max(...rs.map((r) => r.ms));
  return {
    kind,
    n: count,
    timeout_s: timeout,
    ok,
    failed: rs.length - ok,
    codes,
    items,
    max_ms: Math.round(maxMs),
  };
});
console.table(rows);

const slowest = Math.max(...sources.map((s) => s.timeout_s ?? 20)) * 1000;
const sum = sources.reduce((n, s) => n + (s.timeout_s ?? 20) * 1000, 0);
console.log(
  `total ${Math.round(total)} ms for ${results.length} sources | slowest timeout ${slowest} ms | sum of timeouts ${sum} ms | total/slowest = ${(total / slowest).toFixed(2)}`,
);
