import { existsSync, readFileSync, statSync } from "node:fs";
import { relative, resolve } from "node:path";
import { dayIn } from "../core/clock.ts";
import type { AppContext } from "../runner/app.ts";
import { addDays } from "./days.ts";
import { HEARTBEAT_TICKS } from "./page/heartbeat.tsx";
import type { PageData } from "./page.tsx";
import { dayTotals, lastDelivered, recentTicks, sourceHealth } from "./queries.ts";
import type { StatusSnapshot } from "./snapshot-view.ts";

const MAX_DIGEST_BYTES = 256 * 1024;

/** The latest digest's text, only from inside out/ and only up to a sane size. */
function readDigest(home: string, outPath: string): string | null {
  const outDir = resolve(home, "out");
  const path = resolve(home, outPath);
  const rel = relative(outDir, path);
  if (rel.startsWith("..") || rel === "" || !existsSync(path)) return null;
  if (statSync(path).size > MAX_DIGEST_BYTES)
    return `(digest larger than ${MAX_DIGEST_BYTES} bytes; open ${outPath})`;
  return readFileSync(path, "utf8");
}

/** What the status page shows besides the snapshot: 14 days of totals, the recent ticks, source health, the latest digest. */
export function pageData(app: AppContext, snapshot: StatusSnapshot): PageData {
  const db = app.db();
  const today = dayIn(app.deps.clock.now(), app.loaded.spec.timezone);
  const days = Array.from({ length: 14 }, (_, i) => addDays(today, i - 13));
  const delivered = lastDelivered(db);
  return {
    snapshot,
    days: dayTotals(db, days),
    ticks: recentTicks(db, HEARTBEAT_TICKS),
    sources: sourceHealth(db),
    digest:
      delivered?.out_path != null
        ? { path: delivered.out_path, text: readDigest(app.host.home, delivered.out_path) }
        : null,
  };
}
