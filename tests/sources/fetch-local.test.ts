import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { fetchSources } from "../../src/sources/index.ts";
import { loadSpecFile } from "../../src/spec/load.ts";
import { contextFor, loadedWith, tempDir, writeFile } from "./helpers.ts";

describe("fetchSources over local files", () => {
  test("the shipped sample spec's three feeds (RSS, Atom, JSON Feed) all deliver normalised items", async () => {
    const loaded = loadSpecFile(resolve(import.meta.dir, "../../spec/SPEC.md"));
    const { ctx } = contextFor(loaded);
    const results = await fetchSources(ctx);
    expect(results.map((r) => [r.sourceId, r.ok])).toEqual([
      ["sqlite-news", true],
      ["bun-blog", true],
      ["ops-notes", true],
    ]);
    const bun = results[1];
    if (!bun?.ok) throw new Error("bun-blog failed");
    expect(bun.items[0]).toMatchObject({
      identity: "urn:afk:sample:bun-1.4.5",
      link: "https://bun.example.dev/blog/bun-v1.4.5",
      published: "2026-11-23T20:00:00.000Z",
      sourceName: "Bun blog",
    });
    expect(bun.items[1]?.summary).toBe(
      "Use --target=bun-linux-arm64 to build for Ampere VMs from an x64 laptop.",
    );
  });

  test("a missing file is a per-source error with a trace event; the others still deliver", async () => {
    const dir = tempDir();
    writeFile(
      dir,
      "good.xml",
      `<rss version="2.0"><channel><title>Good</title><item><guid>a</guid><title>A</title></item></channel></rss>`,
    );
    const loaded = loadedWith(
      [
        { id: "good", url: "good.xml" },
        { id: "gone", url: "missing.xml", optional: true },
      ],
      dir,
    );
    const { ctx, records } = contextFor(loaded);
    const [good, gone] = await fetchSources(ctx);
    expect(good).toMatchObject({ ok: true, items: [{ identity: "a", title: "A", sourceName: "Good" }] });
    expect(gone).toMatchObject({ ok: false, optional: true, code: "path" });
    expect(
      records.some((r) => r.kind === "event" && r.name === "source_failed" && r.attrs.source === "gone"),
    ).toBe(true);
  });

  test.each([
    ["../outside.xml", "path"],
    ["/etc/passwd", "path"],
    ["file:///etc/passwd", "path"],
    ["ftp://example.org/feed.xml", "scheme"],
    ["gopher://example.org/", "scheme"],
  ])("source url %p is refused with code %p", async (url, code) => {
    const { ctx } = contextFor(loadedWith([{ id: "x", url }], tempDir()));
    const [r] = await fetchSources(ctx);
    expect(r).toMatchObject({ ok: false, code });
  });
});
