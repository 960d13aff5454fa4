import type { Database } from "bun:sqlite";
import { deliverFamilies } from "../../deliver/metrics.ts";
import { type LedgerStamp, ledgerStamp, sameStamp } from "../../ledger/stamp.ts";
import type { StatusSnapshot } from "../snapshot-view.ts";
import { renderFamilies } from "./expose.ts";
import { type LedgerFamilies, modelFamilies, sourceFamilies, spendFamilies, tickFamilies } from "./ledger.ts";
import { processFamilies } from "./process.ts";
import { type SnapshotFamilies, snapshotFamilies } from "./snapshot.ts";
import { verdictFamilies } from "./verdict.ts";

/**
 * `/metrics` is these lists. A ring that has something to count adds one small function:
 * ledger-only families to LEDGER_FAMILIES (their text is cached until the ledger changes),
 * families of the status snapshot to SNAPSHOT_FAMILIES (read at each scrape, from the cached
 * snapshot). Process families are read live.
 */
export const LEDGER_FAMILIES: readonly LedgerFamilies[] = [
  tickFamilies,
  spendFamilies,
  modelFamilies,
  sourceFamilies,
];
export const SNAPSHOT_FAMILIES: readonly SnapshotFamilies[] = [
  verdictFamilies,
  snapshotFamilies,
  deliverFamilies,
];

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

function ledgerText(db: Database, families: readonly LedgerFamilies[] = LEDGER_FAMILIES): string {
  return renderFamilies(families.flatMap((f) => f(db)));
}

function scrapeText(snap: StatusSnapshot): string {
  return renderFamilies([...SNAPSHOT_FAMILIES.flatMap((f) => f(snap)), ...processFamilies()]);
}

/** The whole exposition, built from scratch (`afk` commands and tests; serve uses metricsSource). */
export function renderMetrics(db: Database, snap: StatusSnapshot): string {
  return ledgerText(db) + scrapeText(snap);
}

/**
 * `/metrics` for a scraper: the ledger families' text is served again until the ledger's stamp
 * changes (a commit by any process). The stamp is read before the text, so a commit racing a
 * build only causes one more build, never a stale answer.
 */
export function metricsSource(
  db: () => Database,
  snapshot: () => StatusSnapshot,
  families: readonly LedgerFamilies[] = LEDGER_FAMILIES,
): () => string {
  let last: { stamp: LedgerStamp; text: string } | null = null;
  return () => {
    const d = db();
    const stamp = ledgerStamp(d);
    if (!last || !sameStamp(last.stamp, stamp)) last = { stamp, text: ledgerText(d, families) };
    return last.text + scrapeText(snapshot());
  };
}
