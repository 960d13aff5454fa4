import type { Database } from "bun:sqlite";
import type { FailureCode, TierOffCode } from "./failure.ts";

export interface TierOff {
  link_id: string;
  day: string;
  code: TierOffCode;
  reason: string;
  tick_id: string | null;
  at: string;
}

/** The row that switched `linkId` off for `day`, if any. */
export function tierOff(db: Database, linkId: string, day: string): TierOff | null {
  return db
    .query<TierOff, [string, string]>("SELECT * FROM model_tier_off WHERE link_id = ? AND day = ?")
    .get(linkId, day);
}

/** Switches a tier off for the rest of `day`; the first reason of the day is kept. */
export function switchTierOff(db: Database, t: TierOff): void {
  db.query(
    `INSERT OR IGNORE INTO model_tier_off (link_id, day, code, reason, tick_id, at) VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(t.link_id, t.day, t.code, t.reason, t.tick_id, t.at);
}

export interface BreakerRow {
  link_id: string;
  model: string;
  failed_ticks: number;
  open_until: string | null;
  last_code: string | null;
  last_reason: string | null;
  updated_at: string;
}

export function breakerRow(db: Database, linkId: string, model: string): BreakerRow | null {
  return db
    .query<BreakerRow, [string, string]>("SELECT * FROM model_breaker WHERE link_id = ? AND model = ?")
    .get(linkId, model);
}

export type BreakerGate =
  | { state: "closed" }
  | { state: "open"; until: string; failedTicks: number }
  | { state: "probe"; failedTicks: number };

/** Whether a link may be called now: closed, open (skip it), or half-open (one probe tick). */
export function breakerGate(row: BreakerRow | null, now: Date, threshold: number): BreakerGate {
  if (!row || row.failed_ticks < threshold) return { state: "closed" };
  if (row.open_until && new Date(row.open_until).getTime() > now.getTime())
    return { state: "open", until: row.open_until, failedTicks: row.failed_ticks };
  return { state: "probe", failedTicks: row.failed_ticks };
}

export type BreakerChange = "none" | "opened" | "reopened" | "closed";

/**
 * Records how a link did in this tick. A success closes the breaker; a failure adds one to the
 * ticks failed in a row, and from `threshold` on keeps the link out for `cooldownMs`.
 */
export function noteBreaker(
  db: Database,
  key: { linkId: string; model: string },
  result: { ok: true } | { ok: false; code: FailureCode; reason: string },
  now: Date,
  opts: { threshold: number; cooldownMs: number },
): BreakerChange {
  let change: BreakerChange = "none";
  db.transaction(() => {
    const row = breakerRow(db, key.linkId, key.model);
    const at = now.toISOString();
    if (result.ok) {
      if (!row || row.failed_ticks === 0) return;
      change = row.failed_ticks >= opts.threshold ? "closed" : "none";
      db.query(
        "UPDATE model_breaker SET failed_ticks = 0, open_until = NULL, updated_at = ? WHERE link_id = ? AND model = ?",
      ).run(at, key.linkId, key.model);
      return;
    }
    const failed = (row?.failed_ticks ?? 0) + 1;
    const open = failed >= opts.threshold;
    const until = open ? new Date(now.getTime() + opts.cooldownMs).toISOString() : null;
    if (open) change = failed === opts.threshold ? "opened" : "reopened";
    db.query(
      `INSERT INTO model_breaker (link_id, model, failed_ticks, open_until, last_code, last_reason, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (link_id, model) DO UPDATE SET failed_ticks = excluded.failed_ticks,
         open_until = excluded.open_until, last_code = excluded.last_code,
         last_reason = excluded.last_reason, updated_at = excluded.updated_at`,
    ).run(key.linkId, key.model, failed, until, result.code, result.reason.slice(0, 500), at);
  }).immediate();
  return change;
}
