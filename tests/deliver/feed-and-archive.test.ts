import { afterEach, describe, expect, test } from "bun:test";
import { parseAtomFeed } from "feedsmith";
import { entryId } from "../../src/deliver/atom.ts";
import { createStatusApp } from "../../src/status/app.tsx";
import { deliverHome, tickAndDeliver, writeFeed } from "./home.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** `n` daily digests at 07:00 from 2026-11-24 on, each from fresh feed items. */
async function days(n: number, extra = "") {
  const h = deliverHome([], {}, extra);
  cleanups.push(h.cleanup);
  const app = h.app();
  for (let d = 0; d < n; d++) {
    h.clock.set(new Date(Date.UTC(2026, 10, 24 + d, 7, 0, 30)));
    writeFeed(h.specDir, [
      { id: `d${d}-1`, title: `Day ${d} says 1 &lt; 2 &amp;&amp; 3` },
      { id: `d${d}-2`, title: `Day ${d} two` },
    ]);
    const s = await tickAndDeliver(app);
    expect(s.outPath).not.toBeNull();
  }
  return { h, app, web: createStatusApp({ app, handle: null }) };
}

describe("/digests.atom: reading afk from a feed reader", () => {
  test("the last digests as Atom (newest first), parsed back by feedsmith: stable ids, updated, escaped HTML content", async () => {
    const { web } = await days(3);
    const res = await web.request("http://afk.test/digests.atom");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
    const xml = await res.text();
    const feed = parseAtomFeed(xml);
    expect(feed.title?.value).toBe("afk · test-digest");
    expect(feed.entries?.map((e) => e.id)).toEqual([
      entryId("test-digest", "2026-11-26T07:00:00.000Z"),
      entryId("test-digest", "2026-11-25T07:00:00.000Z"),
      entryId("test-digest", "2026-11-24T07:00:00.000Z"),
    ]);
    const top = feed.entries?.[0];
    expect(top?.title?.value).toBe("test-digest — 2026-11-26");
    expect(top?.updated).toMatch(/^2026-11-26T07:00:30/);
    expect(top?.links?.[0]?.href).toBe(
      `http://afk.test/digests/${encodeURIComponent("2026-11-26T07:00:00.000Z")}`,
    );
    // The HTML is content (escaped once in the XML); the feed's "<" and "&&" are text inside it.
    expect(top?.content?.type).toBe("html");
    expect(top?.content?.value).toContain("<h4><a href=");
    expect(top?.content?.value).toContain("Day 2 says 1 &lt; 2 &amp;&amp; 3");
    expect(xml).toContain("Day 2 says 1 &amp;lt; 2 &amp;amp;&amp;amp; 3");
  });

  test("ETag and If-None-Match: 304 while nothing changed, 200 with a new ETag after the next digest", async () => {
    const { h, app, web } = await days(1);
    const first = await web.request("/digests.atom");
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(first.headers.get("cache-control")).toBe("no-cache");
    const again = await web.request("/digests.atom", { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    h.clock.set("2026-11-25T07:00:30Z");
    writeFeed(h.specDir, [{ id: "n1", title: "New" }]);
    await tickAndDeliver(app);
    const changed = await web.request("/digests.atom", { headers: { "If-None-Match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
  });

  test("a --force re-run of a slot updates its entry under the same id; feed.entries bounds the count", async () => {
    const { h, app, web } = await days(3, "feed:\n  entries: 2");
    const before = parseAtomFeed(await (await web.request("/digests.atom")).text());
    expect(before.entries).toHaveLength(2);
    h.clock.set("2026-11-26T07:05:00Z");
    writeFeed(h.specDir, [{ id: "again", title: "Re-run item" }]);
    await tickAndDeliver(app, true);
    const after = parseAtomFeed(await (await web.request("/digests.atom")).text());
    expect(after.entries?.map((e) => e.id)).toEqual(before.entries?.map((e) => e.id));
    expect(after.entries?.[0]?.updated).toMatch(/^2026-11-26T07:05:00/);
    expect(after.entries?.[0]?.content?.value).toContain("Re-run item");
  });
});

describe("the digest archive on the status page", () => {
  test("newest first, the latest expanded, each at its own URL, paginated by 20", async () => {
    const { web } = await days(21);
    const page1 = await (await web.request("/digests")).text();
    const slots = [...page1.matchAll(/href="\/digests\/([^"]+)"/g)].map((m) =>
      decodeURIComponent(m[1] as string),
    );
    expect(slots[0]).toBe("2026-12-14T07:00:00.000Z"); // the latest, expanded below its heading
    expect(new Set(slots).size).toBe(20);
    expect(page1).toContain("Day 20 says 1 &lt; 2 &amp;&amp; 3");
    expect(page1).not.toContain("Day 19 says 1 &lt; 2 &amp;&amp; 3"); // older ones are links only
    expect(page1).toContain("page 1 of 2");
    const page2 = await (await web.request("/digests?page=2")).text();
    expect(page2).toContain(`href="/digests/${encodeURIComponent("2026-11-24T07:00:00.000Z")}"`);
    expect((await web.request("/digests?page=3")).status).toBe(404);
    const one = await web.request(`/digests/${encodeURIComponent("2026-11-25T07:00:00.000Z")}`);
    expect(one.status).toBe(200);
    const text = await one.text();
    expect(text).toContain("Day 1 says 1 &lt; 2 &amp;&amp; 3");
    expect(one.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect((await web.request("/digests/2026-01-01T07:00:00.000Z")).status).toBe(404);
  }, 60_000); // 21 real ticks: room on a loaded machine, not a speed bound

  test("the status page links the archive and the feed, and shows each sink", async () => {
    const h = deliverHome([`{ id: chat, kind: webhook, url: "http://127.0.0.1:1/afk", max_attempts: 1 }`]);
    cleanups.push(h.cleanup);
    const app = h.app();
    await tickAndDeliver(app);
    const web = createStatusApp({ app, handle: null });
    const page = await (await web.request("/")).text();
    expect(page).toContain('href="/digests.atom"');
    expect(page).toContain('href="/digests"');
    expect(page).toMatch(/<td>chat<\/td><td>webhook<\/td><td>never<\/td><td>0<\/td><td class="bad">1<\/td>/);
    const metrics = await (await web.request("/metrics")).text();
    expect(metrics).toContain('afk_deliveries{sink="chat",kind="webhook",status="failed"} 1');
    expect(metrics).toContain('afk_delivery_last_success_timestamp_seconds{sink="chat"} 0');
    expect(page).not.toContain("127.0.0.1:1");
  });
});
