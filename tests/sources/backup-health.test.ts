import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fetchSources, readSourceHealth } from "../../src/sources/index.ts";
import { contextFor, loadedWith, tempDir, testDb, writeFile } from "./helpers.ts";
import { type FeedServer, rss, startFeedServer } from "./server.ts";

let srv: FeedServer;
let flakyHits = 0;
beforeAll(() => {
  srv = startFeedServer({
    "/down.xml": () => new Response("gone", { status: 500 }),
    "/backup.xml": () =>
      new Response(rss("Backup feed", [{ guid: "b1", title: "From backup", link: "b1.html" }])),
    "/flaky.xml": () => {
      flakyHits++;
      return flakyHits % 2 === 1
        ? new Response("try later", { status: 429, headers: { "retry-after": "0" } })
        : new Response(rss("Flaky", [{ guid: "f1", title: "Second time lucky" }]));
    },
    "/moved": () => new Response(null, { status: 301, headers: { location: "/feeds/final.xml" } }),
    "/feeds/final.xml": () =>
      new Response(rss("Final", [{ guid: "r1", title: "Redirected", link: "../posts/r1" }])),
  });
});
afterAll(() => srv.stop());

describe("backups, retries and redirects", () => {
  test("a failing source with a backup falls over to it; the trace says so and the result says via backup", async () => {
    const loaded = loadedWith(
      [
        {
          id: "main",
          url: srv.url("/down.xml"),
          backup: srv.url("/backup.xml"),
          timeout_s: 2,
          optional: true,
        },
      ],
      tempDir(),
    );
    const { ctx, records } = contextFor(loaded);
    const [r] = await fetchSources(ctx);
    expect(r).toMatchObject({
      ok: true,
      via: "backup",
      items: [{ identity: "b1", title: "From backup", link: srv.url("/b1.html"), sourceName: "Backup feed" }],
    });
    const names = records
      .filter((e) => e.kind === "event")
      .map((e) => [e.name, e.attrs.via ?? e.attrs.primary_code]);
    expect(names).toContainEqual(["source_failed", "primary"]);
    expect(names).toContainEqual(["source_backup", "http_status"]);
  });

  test("when primary and backup both fail the result names both, keeps `optional`, and the streak grows", async () => {
    const db = testDb();
    const dir = tempDir();
    const loaded = loadedWith(
      [{ id: "both", url: srv.url("/down.xml"), backup: "feeds/missing.xml", timeout_s: 2, optional: true }],
      dir,
    );
    const [r] = await fetchSources(contextFor(loaded, { db }).ctx);
    expect(r).toMatchObject({ ok: false, optional: true, code: "path" });
    if (!r?.ok) expect(r?.error).toMatch(/^primary: HTTP 500; backup: no such file/);
    await fetchSources(contextFor(loaded, { db }).ctx);
    expect(readSourceHealth(db)).toMatchObject([
      {
        source_id: "both",
        consecutive_failures: 2,
        last_outcome: "failed",
        last_code: "path",
        last_success_at: null,
      },
    ]);

    writeFile(dir, "feeds.xml", rss("Local", [{ guid: "l1", title: "Local" }]));
    const fixed = loadedWith([{ id: "both", url: "feeds.xml", timeout_s: 2 }], dir);
    await fetchSources(contextFor(fixed, { db }).ctx);
    expect(readSourceHealth(db)).toMatchObject([
      {
        source_id: "both",
        consecutive_failures: 0,
        last_outcome: "ok",
        last_code: null,
        last_error: null,
        last_items: 1,
      },
    ]);
  });

  test("a 429 is retried once (Retry-After honoured) and the retry's items are delivered", async () => {
    const loaded = loadedWith([{ id: "flaky", url: srv.url("/flaky.xml"), timeout_s: 2 }], tempDir());
    const { ctx, records } = contextFor(loaded);
    const [r] = await fetchSources(ctx);
    expect(r).toMatchObject({ ok: true, items: [{ identity: "f1" }] });
    expect(records.filter((e) => e.name === "source_retry").map((e) => e.attrs.status)).toEqual([429]);
  });

  test("redirects are followed and relative links resolve against the final URL", async () => {
    const loaded = loadedWith([{ id: "moved", url: srv.url("/moved"), timeout_s: 2 }], tempDir());
    const [r] = await fetchSources(contextFor(loaded).ctx);
    expect(r).toMatchObject({ ok: true, status: 200, items: [{ link: srv.url("/posts/r1") }] });
  });

  test("every source's health of one fetch commits together; a ledger that refuses it loses the rows, never the items", async () => {
    const db = testDb();
    const loaded = loadedWith(
      ["a", "b", "c"].map((id) => ({ id, url: srv.url("/backup.xml"), timeout_s: 2 })),
      tempDir(),
    );
    await fetchSources(contextFor(loaded, { db }).ctx);
    expect(readSourceHealth(db).map((h) => [h.source_id, h.last_outcome])).toEqual([
      ["a", "ok"],
      ["b", "ok"],
      ["c", "ok"],
    ]);
    // One source's row cannot be written: the write is one transaction, so no source's row moves.
    db.run(
      "CREATE TRIGGER refuse_b BEFORE UPDATE ON source_health WHEN NEW.source_id = 'b' BEGIN SELECT RAISE(ABORT, 'refused'); END",
    );
    const before = readSourceHealth(db);
    const { ctx, records } = contextFor(loaded, { db });
    const results = await fetchSources(ctx);
    expect(results.map((r) => r.ok && r.items.length)).toEqual([1, 1, 1]);
    expect(readSourceHealth(db)).toEqual(before);
    const failed = records.filter((r) => r.name === "health_write_failed");
    expect(failed).toHaveLength(1);
    // Listed in the order the sources ended, which the network decides.
    expect([...((failed[0]?.attrs.sources as string[]) ?? [])].sort()).toEqual(["a", "b", "c"]);
    expect(failed[0]?.error).toContain("refused");
  });

  test("an aborted tick ends every source as `aborted`, promptly", async () => {
    const controller = new AbortController();
    controller.abort(new Error("tick killed"));
    const loaded = loadedWith([{ id: "any", url: srv.url("/backup.xml"), timeout_s: 5 }], tempDir());
    const [r] = await fetchSources(contextFor(loaded, { signal: controller.signal }).ctx);
    expect(r).toMatchObject({ ok: false, code: "aborted" });
  });
});
