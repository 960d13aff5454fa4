import { describe, expect, test } from "bun:test";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { fetchSources, readSourceHealth, SOURCE_CONCURRENCY } from "../../src/sources/index.ts";
import { mapLimit } from "../../src/sources/limit.ts";
import { contextFor, loadedWith, tempDir, writeFile } from "./helpers.ts";
import { heldBytes, rss, startFeedServer } from "./server.ts";

/** A promise and the function that resolves it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Exactly `size` bytes of a valid one-item feed, padded with whitespace. */
function feedOfSize(size: number): Uint8Array {
  const feed = rss("Held", [{ guid: "h", title: "held" }]);
  return new TextEncoder().encode(feed.replace("</channel>", `${" ".repeat(size - feed.length)}</channel>`));
}

describe("limits", () => {
  test(`at most SOURCE_CONCURRENCY (${SOURCE_CONCURRENCY}) calls run at once, the rest queue, results keep input order`, async () => {
    const release = deferred();
    let active = 0;
    let maxActive = 0;
    const items = Array.from({ length: SOURCE_CONCURRENCY + 5 }, (_, i) => i);
    const done = mapLimit(items, SOURCE_CONCURRENCY, async (n) => {
      active++;
      maxActive = Math.max(maxActive, active);
      await release.promise;
      active--;
      return n * 2;
    });
    expect(active).toBe(SOURCE_CONCURRENCY);
    release.resolve();
    expect(await done).toEqual(items.map((n) => n * 2));
    expect(maxActive).toBe(SOURCE_CONCURRENCY);
  });

  test("100 sources are all in flight at once: the server answers none until it holds all 100", async () => {
    const all = deferred();
    let inFlight = 0;
    let maxInFlight = 0;
    const srv = startFeedServer({
      "/gate.xml": async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (inFlight === 100) all.resolve();
        await all.promise;
        inFlight--;
        return new Response(rss("Gate", [{ guid: "g", title: "gate" }]));
      },
    });
    try {
      const sources = Array.from({ length: 100 }, (_, i) => ({
        id: `s${i}`,
        url: srv.url("/gate.xml"),
        timeout_s: 5,
      }));
      const results = await fetchSources(contextFor(loadedWith(sources, tempDir())).ctx);
      expect(maxInFlight).toBe(100);
      expect(results.map((r) => r.sourceId)).toEqual(sources.map((s) => s.id));
      expect(results.every((r) => r.ok)).toBe(true);
    } finally {
      await srv.stop();
    }
  }, 15_000);

  test("sources that together pass the tick's fetch budget: only the excess fail too_large naming the budget, the rest deliver", async () => {
    // Five 300 kB bodies against a 1 MB budget: three fit. The server holds every body open until
    // two clients have given up, so no source can finish and free its bytes early.
    const twoDropped = deferred();
    let dropped = 0;
    const body = feedOfSize(300_000);
    const srv = startFeedServer({
      "/held.xml": () =>
        heldBytes(body, twoDropped.promise, () => {
          if (++dropped === 2) twoDropped.resolve();
        }),
    });
    try {
      const sources = Array.from({ length: 5 }, (_, i) => ({
        id: `s${i}`,
        url: srv.url("/held.xml"),
        timeout_s: 5,
      }));
      const { ctx } = contextFor(loadedWith(sources, tempDir(), { fetch_buffer_bytes: 1_000_000 }));
      const results = await fetchSources(ctx);
      const failed = results.filter((r) => !r.ok);
      expect(failed).toHaveLength(2);
      for (const r of failed) {
        expect(r).toMatchObject({ ok: false, code: "too_large" });
        expect(r.ok ? "" : r.error).toContain("tick fetch budget exceeded");
        expect(r.ok ? "" : r.error).toContain("1000000 bytes");
      }
      const delivered = results.filter((r) => r.ok);
      expect(delivered).toHaveLength(3);
      for (const r of delivered) expect(r).toMatchObject({ ok: true, items: [{ identity: "h" }] });
      expect(dropped).toBe(2);
    } finally {
      await srv.stop();
    }
  }, 15_000);

  test("a local file over the tick's fetch budget fails too_large naming the budget, not max_bytes", async () => {
    const dir = tempDir();
    writeFile(dir, "big.xml", feedOfSize(5_000));
    writeFile(dir, "small.xml", feedOfSize(500));
    const { ctx } = contextFor(
      loadedWith(
        [
          { id: "big", url: "big.xml" },
          { id: "small", url: "small.xml" },
        ],
        dir,
        { fetch_buffer_bytes: 2_000 },
      ),
    );
    const [big, small] = await fetchSources(ctx);
    expect(big).toMatchObject({ ok: false, code: "too_large" });
    expect(big?.ok ? "" : big?.error).toContain("tick fetch budget exceeded");
    expect(small).toMatchObject({ ok: true, items: [{ identity: "h" }] });
  });

  test("a local file over max_bytes is too_large; a symlink out of the spec's folder is refused", async () => {
    const outside = tempDir();
    writeFile(outside, "secret.xml", rss("Secret", [{ guid: "x", title: "do not read" }]));
    const dir = tempDir();
    writeFile(dir, "big.xml", rss("Big", [{ guid: "b", title: "x".repeat(2_000) }]));
    symlinkSync(join(outside, "secret.xml"), join(dir, "link.xml"));
    const { ctx } = contextFor(
      loadedWith(
        [
          { id: "big", url: "big.xml", max_bytes: 1_000 },
          { id: "link", url: "link.xml" },
          { id: "file-url", url: `file://${join(dir, "big.xml")}` },
        ],
        dir,
      ),
    );
    const [big, link, fileUrl] = await fetchSources(ctx);
    expect(big).toMatchObject({ ok: false, code: "too_large" });
    expect(big?.ok ? "" : big?.error).toContain("max_bytes");
    expect(link).toMatchObject({ ok: false, code: "path" });
    expect(fileUrl).toMatchObject({ ok: true, items: [{ identity: "b" }] });
  });

  test("a killed tick does not count against a source's health", async () => {
    const controller = new AbortController();
    controller.abort();
    const { ctx } = contextFor(loadedWith([{ id: "k", url: "http://127.0.0.1:9/never.xml" }], tempDir()), {
      signal: controller.signal,
    });
    const [r] = await fetchSources(ctx);
    expect(r).toMatchObject({ ok: false, code: "aborted" });
    expect(readSourceHealth(ctx.db)).toEqual([]);
  });
});
