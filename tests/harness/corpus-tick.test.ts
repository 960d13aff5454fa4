import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/run.ts";
import type { TickRow } from "../../src/ledger/ticks.ts";
import { CORPUS } from "../support/corpus.ts";
import { tempHome, testDeps, writeSpec } from "../support/home.ts";

/** A tick against a loopback HTTP server serving feeds nobody on this project wrote. */

const FILES: Record<string, { path: string; type: string }> = {
  "/rss.xml": { path: "feedparser/wellformed/rss/item_link.xml", type: "application/rss+xml" },
  "/atom.xml": { path: "feedparser/wellformed/atom10/entry_link_href.xml", type: "application/atom+xml" },
  "/rdf.xml": { path: "feedparser/wellformed/rdf/rdf_item_link.xml", type: "application/rdf+xml" },
  "/feed.json": { path: "feedparser/json/example.json", type: "application/feed+json" },
};

const home = tempHome();
let server: ReturnType<typeof Bun.serve>;
beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/broken.xml")
        return new Response("<html><body>We moved!</body></html>", {
          headers: { "content-type": "text/html" },
        });
      const f = FILES[path];
      if (!f) return new Response("not found", { status: 404 });
      return new Response(readFileSync(join(CORPUS, f.path)), { headers: { "content-type": f.type } });
    },
  });
});
afterAll(() => {
  server.stop(true);
  home.cleanup();
});

test("a tick over corpus feeds on loopback delivers their items and names the broken source", async () => {
  const base = `http://127.0.0.1:${server.port}`;
  const spec = writeSpec(home.dir, {
    minItems: 3,
    sources: [
      { id: "rss", url: `${base}/rss.xml` },
      { id: "atom", url: `${base}/atom.xml` },
      { id: "rdf", url: `${base}/rdf.xml` },
      { id: "json", url: `${base}/feed.json` },
      { id: "broken", url: `${base}/broken.xml`, optional: true },
      { id: "gone", url: `${base}/gone.xml`, optional: true },
    ],
  });
  const t = testDeps(home.dir);
  const code = await run(["tick", "--spec", spec], t.deps);
  expect({ code, out: t.out }).toMatchObject({ code: 0 });
  const db = new Database(join(home.dir, "ledger.sqlite"), { readonly: true });
  const row = db.query<TickRow, []>("SELECT * FROM ticks").get();
  db.close();
  expect(row?.status).toBe("ok"); // the failing sources are optional
  expect(row?.items).toBeGreaterThanOrEqual(3);
  const failed = JSON.parse(row?.detail ?? "{}").failed_sources.map((f: { id: string }) => f.id);
  expect(failed.sort()).toEqual(["broken", "gone"]);
  const digest = readFileSync(join(home.dir, row?.out_path as string), "utf8");
  expect(digest).toContain("](http://example.com/");
  expect(digest).toContain("](https://example.org/second-item");
});
