import { DELIVERED_SQL } from "../core/status.ts";
import type { AppContext } from "../runner/app.ts";

/**
 * What the feed is built from changes only when a delivering tick closes. Apart from the feed's
 * rendering (hono's JSX, the digest's Markdown), which loads only when there is a feed to write.
 */
export function feedKey(app: AppContext): string {
  const r = app
    .db()
    .query<{ n: number; at: string | null }, []>(
      `SELECT count(*) AS n, max(coalesce(ended_at, started_at)) AS at FROM ticks WHERE status IN ${DELIVERED_SQL} AND out_path IS NOT NULL`,
    )
    .get();
  return `${r?.n ?? 0}/${r?.at ?? ""}`;
}
