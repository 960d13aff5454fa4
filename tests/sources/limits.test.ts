import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { fetchSources, readSourceHealth, SOURCE_CONCURRENCY } from "../../src/sources/index.ts";
import { contextFor, loadedWith, tempDir, writeFile } from "./helpers.ts";
import { type FeedServer, rss, startFeedServer } from "./server.ts";

let srv: FeedServer;
let inFlight = 0;
let maxInFlight = 0;
beforeAll(() => {
  srv = startFeedServer({
    "/counted.xml": async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await Bun.sleep(30); // server-side latency, so requests overlap
      inFlight--;
      return new Response(rss("Counted", [{ guid: "c", title: "c" }]));
    },
  });
});
afterAll(() => srv.stop());

describe("limits", () => {
  test(`at most ${SOURCE_CONCURRENCY} sources are fetched at once; results keep spec order`, async () => {
    const sources = Array.from({ length: 40 }, (_, i) => ({
      id: `s${i}`,
      url: srv.url("/counted.xml"),
      timeout_s: 5,
    }));
    const results = await fetchSources(contextFor(loadedWith(sources, tempDir())).ctx);
    expect(results.map((r) => r.sourceId)).toEqual(sources.map((s) => s.id));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(SOURCE_CONCURRENCY);
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
    expect(link).toMatchObject({ ok: false, code: "path" });
    expect(fileUrl).toMatchObject({ ok: true, items: [{ identity: "b" }] });
  });

  test("a killed tick does not count against a source's health", async () => {
    const controller = new AbortController();
    controller.abort();
    const { ctx } = contextFor(loadedWith([{ id: "k", url: srv.url("/counted.xml") }], tempDir()), {
      signal: controller.signal,
    });
    const [r] = await fetchSources(ctx);
    expect(r).toMatchObject({ ok: false, code: "aborted" });
    expect(readSourceHealth(ctx.db)).toEqual([]);
  });
});
