import { DELIVERED_SQL } from "../core/status.ts";
import { deliverAtomically } from "../harness/deliver.ts";
import type { AppContext } from "../runner/app.ts";
import { renderAtom } from "./atom.ts";

export const FEED_FILE = "digests.atom";

/** Rewrites out/digests.atom (atomically: a reader never sees half a feed); returns its text. */
export function writeFeedFile(app: AppContext): string {
  const text = renderAtom({
    db: app.db(),
    home: app.host.home,
    specName: app.loaded.spec.name,
    version: app.version,
    entries: app.loaded.spec.feed.entries,
  });
  deliverAtomically(app.host.home, FEED_FILE, text);
  return text;
}

/** What the feed is built from changes only when a delivering tick closes. */
export function feedKey(app: AppContext): string {
  const r = app
    .db()
    .query<{ n: number; at: string | null }, []>(
      `SELECT count(*) AS n, max(coalesce(ended_at, started_at)) AS at FROM ticks WHERE status IN ${DELIVERED_SQL} AND out_path IS NOT NULL`,
    )
    .get();
  return `${r?.n ?? 0}/${r?.at ?? ""}`;
}
