import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startAfk } from "../../src/evidence/afk-child.ts";
import { startOllamaDouble } from "../../src/evidence/doubles/ollama-double.ts";
import type { TickRow } from "../../src/ledger/ticks.ts";
import { tempHome, writeSpec } from "../support/home.ts";

/**
 * Nothing fetched is lost: a real `afk tick` process SIGKILLed after its fetch and before its
 * delivery keeps neither the feed's validators nor any item mark, so the next tick is sent the
 * same items (not a 304) and delivers them; only then does the feed answer 304.
 */

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const ETAG = '"feed-v1"';
const ITEMS = [1, 2, 3, 4].map(
  (n) =>
    `<item><title>Kept story ${n}</title><link>https://news.test/kept/${n}</link><guid>kept-${n}</guid><description>Kept story ${n} matters to operators.</description><pubDate>Tue, 24 Nov 2026 06:00:00 GMT</pubDate></item>`,
);

/** A feed that honours If-None-Match, as a real one does, and remembers what it was asked. */
function conditionalFeed() {
  const asked: { ifNoneMatch: string | null; status: number }[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const ifNoneMatch = req.headers.get("if-none-match");
      const status = ifNoneMatch === ETAG ? 304 : 200;
      asked.push({ ifNoneMatch, status });
      if (status === 304) return new Response(null, { status, headers: { etag: ETAG } });
      const xml = `<?xml version="1.0"?><rss version="2.0"><channel><title>Kept</title><link>https://news.test/</link><description>d</description>${ITEMS.join("")}</channel></rss>`;
      return new Response(xml, { headers: { "content-type": "application/rss+xml", etag: ETAG } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/feed.xml`, asked, stop: () => server.stop(true) };
}

function ledger(home: string) {
  const db = new Database(join(home, "ledger.sqlite"), { readonly: true });
  try {
    return {
      ticks: db.query<TickRow, []>("SELECT * FROM ticks ORDER BY started_at, rowid").all(),
      etag: db.query<{ etag: string | null }, []>("SELECT etag FROM source_health").get()?.etag ?? null,
      marked: db.query<{ n: number }, []>("SELECT count(*) AS n FROM delivered_items").get()?.n ?? 0,
    };
  } finally {
    db.close();
  }
}

test("a tick SIGKILLed between fetch and delivery: the next tick gets and delivers the same items; then the feed may answer 304", async () => {
  const h = tempHome("afk-crash-refetch-");
  cleanups.push(h.cleanup);
  const feed = conditionalFeed();
  cleanups.push(feed.stop);
  const ollama = await startOllamaDouble();
  cleanups.push(() => ollama.stop());
  ollama.setBehavior("llama3.1:8b", { kind: "hang" });

  const spec = writeSpec(h.dir, {
    sources: [{ id: "kept", url: feed.url, timeout_s: 10 }],
    models: [
      '{ id: primary, kind: ollama, model: "llama3.1:8b", timeout_s: 120 }',
      "{ id: extractive, kind: extractive }",
    ],
    minItems: 3,
  });
  const env = {
    ...process.env,
    AFK_HOME: h.dir,
    HOME: h.dir,
    AFK_KILL_FLAG: join(h.dir, "afk.kill"),
    OLLAMA_HOST: ollama.url,
  };
  const tick = (...args: string[]) => startAfk(["tick", "--spec", spec, ...args], { env });

  // 1. fetched (200 with an ETag), then held in synthesis by the model: killed there
  const doomed = tick();
  for (let n = 1; !(await ollama.waitForRequests(n)).some((r) => r.path === "/api/chat"); n++);
  expect(feed.asked).toEqual([{ ifNoneMatch: null, status: 200 }]);
  doomed.kill("SIGKILL");
  expect(await doomed.exited).not.toBe(0);
  expect(ledger(h.dir)).toMatchObject({ etag: null, marked: 0 });
  expect(ledger(h.dir).ticks.map((t) => t.status)).toEqual(["running"]);

  // 2. the next tick is not sent the dead tick's validators: the feed answers 200 and the same
  //    items are delivered
  ollama.setBehavior("llama3.1:8b", { kind: "error", status: 500, message: "model runner crashed" });
  const next = tick();
  expect(await next.exited).toBe(0);
  expect(feed.asked[1]).toEqual({ ifNoneMatch: null, status: 200 });
  const after = ledger(h.dir);
  expect(after.ticks.map((t) => t.status)).toEqual(["crashed", "degraded"]);
  const digest = readFileSync(join(h.dir, after.ticks[1]?.out_path ?? "missing"), "utf8");
  for (const n of [1, 2, 3, 4]) expect(digest).toContain(`https://news.test/kept/${n}`);
  expect(after).toMatchObject({ etag: ETAG, marked: 4 });

  // 3. with the delivery kept, the feed may answer 304: nothing new, a quiet tick
  const third = tick("--force");
  expect(await third.exited).toBe(0);
  expect(feed.asked[2]).toEqual({ ifNoneMatch: ETAG, status: 304 });
  expect(ledger(h.dir).ticks.map((t) => t.status)).toEqual(["crashed", "degraded", "quiet"]);
}, 60_000);
