/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import { raw } from "hono/html";
import type { AppContext } from "../runner/app.ts";
import { type ArchiveEntry, ArchivePage, DigestPage } from "./archive.tsx";
import { digestCount, digestForSlot, digestTicks } from "./archive-query.ts";
import { atomEtag, etagMatches, renderAtom } from "./atom.ts";
import { digestMessage } from "./digest.tsx";

export const ARCHIVE_PAGE_SIZE = 20;

function entry(app: AppContext, tick: ArchiveEntry["tick"]): ArchiveEntry {
  const fallback = `${app.loaded.spec.name} ${tick.slot.slice(0, 10)}`;
  return {
    tick,
    msg: tick.out_path ? digestMessage(app.host.home, tick.slot, tick.out_path, fallback) : null,
  };
}

/**
 * The reader's side of the status server: `/digests.atom` (Atom 1.0, ETag + If-None-Match),
 * `/digests?page=N` (the archive, newest first) and `/digests/<slot>` (one digest).
 */
export function deliverRoutes(app: AppContext): Hono {
  const web = new Hono();
  const spec = app.loaded.spec.name;

  web.get("/digests.atom", (c) => {
    const body = renderAtom({
      db: app.db(),
      home: app.host.home,
      specName: spec,
      version: app.version,
      entries: app.loaded.spec.feed.entries,
      base: new URL(c.req.url).origin,
    });
    const etag = atomEtag(body);
    const headers = { ETag: etag, "Cache-Control": "no-cache" };
    if (etagMatches(c.req.header("If-None-Match"), etag)) return c.body(null, 304, headers);
    return c.body(body, 200, { ...headers, "Content-Type": "application/atom+xml; charset=utf-8" });
  });

  web.get("/digests", (c) => {
    const db = app.db();
    const pages = Math.max(1, Math.ceil(digestCount(db) / ARCHIVE_PAGE_SIZE));
    const asked = Number(c.req.query("page") ?? "1");
    if (!Number.isInteger(asked) || asked < 1 || asked > pages)
      return c.text(`no such page (1–${pages})`, 404);
    const entries = digestTicks(db, ARCHIVE_PAGE_SIZE, (asked - 1) * ARCHIVE_PAGE_SIZE).map((t) =>
      entry(app, t),
    );
    return c.html(
      <>
        {raw("<!DOCTYPE html>")}
        <ArchivePage spec={spec} entries={entries} page={asked} pages={pages} />
      </>,
    );
  });

  web.get("/digests/:slot", (c) => {
    const tick = digestForSlot(app.db(), c.req.param("slot"));
    if (!tick) return c.text("no digest for that slot", 404);
    return c.html(
      <>
        {raw("<!DOCTYPE html>")}
        <DigestPage spec={spec} entry={entry(app, tick)} />
      </>,
    );
  });

  return web;
}
