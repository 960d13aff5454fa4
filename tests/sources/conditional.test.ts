import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { storeValidators } from "../../src/sources/health.ts";
import { fetchSources, readSourceHealth } from "../../src/sources/index.ts";
import { contextFor, loadedWith, tempDir, testDb } from "./helpers.ts";
import { type FeedServer, rss, startFeedServer } from "./server.ts";

const ETAG = '"v1-abc"';
const LAST_MODIFIED = "Tue, 24 Nov 2026 06:00:00 GMT";

let srv: FeedServer;
beforeAll(() => {
  srv = startFeedServer({
    "/etag.xml": (req) => {
      if (req.headers.get("if-none-match") === ETAG) return new Response(null, { status: 304 });
      return new Response(rss("Tagged", [{ guid: "e1", title: "One" }]), { headers: { etag: ETAG } });
    },
    "/modified.xml": (req) => {
      if (req.headers.get("if-modified-since") === LAST_MODIFIED) return new Response(null, { status: 304 });
      return new Response(rss("Dated", [{ guid: "m1", title: "One" }]), {
        headers: { "last-modified": LAST_MODIFIED },
      });
    },
    "/plain.xml": () => new Response(rss("Plain", [{ guid: "p1", title: "One" }])),
    "/stray-304.xml": () => new Response(null, { status: 304 }),
  });
});
afterAll(() => srv.stop());

describe("conditional GET", () => {
  test("a fetch's validators are not kept by the fetch itself: until a tick delivers, the next fetch is unconditional", async () => {
    const db = testDb();
    const loaded = loadedWith([{ id: "etag", url: srv.url("/etag.xml"), timeout_s: 2 }], tempDir());
    const [first] = await fetchSources(contextFor(loaded, { db }).ctx);
    expect(first).toMatchObject({ ok: true, validators: { etag: ETAG, url: srv.url("/etag.xml") } });
    expect(readSourceHealth(db).map((h) => [h.source_id, h.last_outcome, h.etag])).toEqual([
      ["etag", "ok", null],
    ]);
    srv.requests.length = 0;
    const [again] = await fetchSources(contextFor(loaded, { db }).ctx);
    expect(again).toMatchObject({ ok: true, notModified: false, status: 200 });
    expect(again?.ok && again.items.length).toBe(1);
    expect(srv.requests[0]?.headers.get("if-none-match")).toBeNull();
  });

  test("once a tick kept the validators, the next fetch sends If-None-Match / If-Modified-Since, and a 304 is ok with notModified and no items", async () => {
    const db = testDb();
    const loaded = loadedWith(
      [
        { id: "etag", url: srv.url("/etag.xml"), timeout_s: 2 },
        { id: "modified", url: srv.url("/modified.xml"), timeout_s: 2 },
      ],
      tempDir(),
    );
    const first = await fetchSources(contextFor(loaded, { db }).ctx);
    expect(first.map((r) => r.ok && r.items.length)).toEqual([1, 1]);
    // what a delivering tick does in its close (harness/tick-row.ts)
    for (const r of first) if (r.ok && r.validators) storeValidators(db, r.sourceId, r.validators);
    srv.requests.length = 0;

    const { ctx, records } = contextFor(loaded, { db });
    const second = await fetchSources(ctx);
    expect(second).toMatchObject([
      { sourceId: "etag", ok: true, notModified: true, items: [], status: 304 },
      { sourceId: "modified", ok: true, notModified: true, items: [], status: 304 },
    ]);
    const sent = Object.fromEntries(srv.requests.map((r) => [r.path, r.headers]));
    expect(sent["/etag.xml"]?.get("if-none-match")).toBe(ETAG);
    expect(sent["/modified.xml"]?.get("if-modified-since")).toBe(LAST_MODIFIED);
    expect(records.some((r) => r.name === "source_failed")).toBe(false);

    const health = readSourceHealth(db);
    expect(
      health.map((h) => [h.source_id, h.last_outcome, h.consecutive_failures, h.etag, h.last_modified]),
    ).toEqual([
      ["etag", "not_modified", 0, ETAG, null],
      ["modified", "not_modified", 0, null, LAST_MODIFIED],
    ]);
  });

  test("validators kept for another URL of the source (its URL changed) are not sent", async () => {
    const db = testDb();
    storeValidators(db, "etag", { etag: ETAG, lastModified: null, url: srv.url("/old-home.xml") });
    srv.requests.length = 0;
    const loaded = loadedWith([{ id: "etag", url: srv.url("/etag.xml"), timeout_s: 2 }], tempDir());
    const [r] = await fetchSources(contextFor(loaded, { db }).ctx);
    expect(r).toMatchObject({ ok: true, notModified: false, status: 200 });
    expect(srv.requests[0]?.headers.get("if-none-match")).toBeNull();
  });

  test("a ledger whose validators cannot be read costs the conditional GET only: one event, every source fetched in full", async () => {
    const db = testDb();
    storeValidators(db, "etag", { etag: ETAG, lastModified: null, url: srv.url("/etag.xml") });
    db.run("ALTER TABLE source_health RENAME COLUMN validators_url TO gone"); // the read's query now fails
    srv.requests.length = 0;
    const loaded = loadedWith(
      [
        { id: "etag", url: srv.url("/etag.xml"), timeout_s: 2 },
        { id: "plain", url: srv.url("/plain.xml"), timeout_s: 2 },
      ],
      tempDir(),
    );
    const { ctx, records } = contextFor(loaded, { db });
    const results = await fetchSources(ctx);
    expect(results.map((r) => r.ok && r.items.length)).toEqual([1, 1]);
    expect(srv.requests.map((r) => r.headers.get("if-none-match"))).toEqual([null, null]);
    expect(records.filter((r) => r.name === "health_read_failed")).toHaveLength(1);
  });

  test("a source without validators is fetched in full every time, with no conditional headers", async () => {
    const db = testDb();
    const loaded = loadedWith([{ id: "plain", url: srv.url("/plain.xml"), timeout_s: 2 }], tempDir());
    await fetchSources(contextFor(loaded, { db }).ctx);
    srv.requests.length = 0;
    const [r] = await fetchSources(contextFor(loaded, { db }).ctx);
    expect(r).toMatchObject({ ok: true, notModified: false, items: [{ identity: "p1" }] });
    expect(srv.requests[0]?.headers.get("if-none-match")).toBeNull();
    expect(srv.requests[0]?.headers.get("if-modified-since")).toBeNull();
  });

  test("a 304 we did not ask for is an error, not an empty success", async () => {
    const loaded = loadedWith([{ id: "stray", url: srv.url("/stray-304.xml"), timeout_s: 2 }], tempDir());
    const [r] = await fetchSources(contextFor(loaded).ctx);
    expect(r).toMatchObject({ ok: false, code: "http_status", status: 304 });
  });

  test("the User-Agent names afk and its version", async () => {
    srv.requests.length = 0;
    const loaded = loadedWith([{ id: "plain", url: srv.url("/plain.xml"), timeout_s: 2 }], tempDir());
    await fetchSources(contextFor(loaded).ctx);
    expect(srv.requests[0]?.headers.get("user-agent")).toMatch(/^afk\/0\.0\.0-test \(/);
  });
});
