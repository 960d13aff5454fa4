/** @jsxImportSource hono/jsx */
import { raw } from "hono/html";
import type { TickRow } from "../ledger/ticks.ts";
import { PAGE_CSS } from "../status/page.tsx";
import type { DigestMessage } from "./digest.tsx";

export interface ArchiveEntry {
  tick: TickRow;
  /** The digest as read from out/; null when the file is gone. */
  msg: DigestMessage | null;
}

export function slotHref(slot: string): string {
  return `/digests/${encodeURIComponent(slot)}`;
}

function Shell({ title, children }: { title: string; children: unknown }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <link rel="alternate" type="application/atom+xml" title={title} href="/digests.atom" />
        <style>{raw(PAGE_CSS)}</style>
      </head>
      <body>
        <div class="meta">
          <a href="/">status</a> · <a href="/digests">digests</a> · <a href="/digests.atom">Atom feed</a>
        </div>
        {children}
      </body>
    </html>
  );
}

function Digest({ e }: { e: ArchiveEntry }) {
  return e.msg ? raw(e.msg.html) : <p>The file {e.tick.out_path} is no longer in out/.</p>;
}

/** The archive: digests newest first, the latest expanded, the rest one line each; paginated. */
export function ArchivePage(p: {
  spec: string;
  entries: readonly ArchiveEntry[];
  page: number;
  pages: number;
}) {
  const [latest, ...rest] = p.entries;
  return (
    <Shell title={`afk · ${p.spec} · digests`}>
      <h1>Digests · {p.spec}</h1>
      {latest === undefined ? <p>No digest delivered yet.</p> : null}
      {latest && p.page === 1 ? (
        <>
          <h2>
            <a href={slotHref(latest.tick.slot)}>{latest.msg?.title ?? latest.tick.slot}</a>
          </h2>
          <p class="meta">
            slot {latest.tick.slot} · <code>{latest.tick.out_path}</code>
          </p>
          <Digest e={latest} />
        </>
      ) : null}
      <ul>
        {(p.page === 1 ? rest : p.entries).map((e) => (
          <li>
            <a href={slotHref(e.tick.slot)}>{e.msg?.title ?? e.tick.slot}</a>{" "}
            <span class="meta">slot {e.tick.slot}</span>
          </li>
        ))}
      </ul>
      <p class="meta">
        page {p.page} of {p.pages}
        {p.page > 1 ? (
          <>
            {" · "}
            <a href={`/digests?page=${p.page - 1}`}>newer</a>
          </>
        ) : null}
        {p.page < p.pages ? (
          <>
            {" · "}
            <a href={`/digests?page=${p.page + 1}`}>older</a>
          </>
        ) : null}
      </p>
    </Shell>
  );
}

/** One digest at its own URL. */
export function DigestPage(p: { spec: string; entry: ArchiveEntry }) {
  const title = p.entry.msg?.title ?? p.entry.tick.slot;
  return (
    <Shell title={`afk · ${title}`}>
      <h1>{title}</h1>
      <p class="meta">
        slot {p.entry.tick.slot} · tick <code>{p.entry.tick.id}</code> · <code>{p.entry.tick.out_path}</code>
      </p>
      <Digest e={p.entry} />
    </Shell>
  );
}
