import type { Database } from "bun:sqlite";

const DAY_MS = 86_400_000;

/**
 * Forgets delivered item identities older than the retention window, so `delivered_items` stays
 * bounded. Items that old are also far outside any feed's window, so they will not come back as new.
 * Returns how many rows were deleted.
 */
export function pruneDelivered(db: Database, now: Date, retentionDays = 90): number {
  if (!Number.isFinite(retentionDays) || retentionDays < 0) {
    throw new RangeError(`pruneDelivered: retentionDays must be a non-negative number, got ${retentionDays}`);
  }
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
  return db.run("DELETE FROM delivered_items WHERE delivered_at < ?", [cutoff]).changes;
}
