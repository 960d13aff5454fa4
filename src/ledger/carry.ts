import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { AfkError } from "../core/errors.ts";
import { classifyFault } from "../core/fault.ts";
import { type Micros, microsToUsd } from "../core/money.ts";
import type { TickStatus, Trigger } from "../core/status.ts";
import { readOnly } from "./backup.ts";

/** What `carrySince` wrote into the backup. */
export interface Carried {
  /** Per day (the spec's day, as the calls recorded it), the spend the backup did not count. */
  days: { day: string; micros: Micros }[];
  /** Item identities delivered since the backup (so a restored afk never delivers them again). */
  items: number;
}

/** A carried row: no run, a hand insert (`manual`), its slot handled elsewhere. */
const CARRIED: { trigger: Trigger; status: TickStatus } = { trigger: "manual", status: "skipped_done" };

/**
 * Spend per day through the lab's `ledger` view, which every afk's schema defines with its own
 * spend formula (since core-004 over call_spend: settled cost, open reservations in full): each
 * tick's dollars back to whole micro-dollars, then summed.
 */
const SPEND_BY_DAY =
  "SELECT day, coalesce(sum(CAST(round(usd_in * 1000000) AS INTEGER)), 0) AS micros FROM ledger GROUP BY day";

/**
 * The spend the backup would hide, written into it before it is restored: a rollback that puts
 * back the ledger taken before an upgrade (scripts/deploy.sh --rollback --restore-ledger) loses
 * the rows written since, and with them the spend the cap must still count that day. For each day
 * whose spend in `ledger` exceeds the backup's, one row goes in through the backup's own `ledger`
 * view (the hand insert every afk since core-002 understands: a closed `manual` tick and a settled
 * call of that cost), with the difference — so the restored ledger counts at least what was spent
 * (an open reservation settled lower since is still counted in full). Item identities delivered
 * since are copied too. `ledger` is read-only here; the backup is never migrated, only written
 * through its own schema, in one transaction. Running it again carries nothing twice: what the
 * backup already counts is subtracted.
 */
export function carrySince(ledger: string, backup: string, carriedAt: Date, version: string): Carried {
  const live = readOnly(ledger, "ledger");
  let spend: { day: string; micros: number }[];
  let items: { identity: string; tick_id: string; delivered_at: string }[];
  try {
    spend = live.query<{ day: string; micros: number }, []>(SPEND_BY_DAY).all();
    items = live
      .query<{ identity: string; tick_id: string; delivered_at: string }, []>(
        "SELECT identity, tick_id, delivered_at FROM delivered_items",
      )
      .all();
  } finally {
    live.close();
  }
  const db = writable(backup);
  try {
    return db.transaction(() => {
      const counted = new Map(
        db
          .query<{ day: string; micros: number }, []>(SPEND_BY_DAY)
          .all()
          .map((r) => [r.day, r.micros]),
      );
      const days = spend
        .map((r) => ({ day: r.day, micros: (r.micros - (counted.get(r.day) ?? 0)) as Micros }))
        .filter((d) => d.micros > 0);
      const at = carriedAt.toISOString();
      const insert = db.query(
        `INSERT INTO ledger (tick_id, ts, day, slot, trigger, status, usd_in, value_usd, version, spec_hash, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, 'carried', ?)`,
      );
      for (const d of days)
        insert.run(
          `carried-${d.day}-${at}`,
          at,
          d.day,
          at,
          CARRIED.trigger,
          CARRIED.status,
          microsToUsd(d.micros), // the lab view takes dollars; its trigger rounds back to micro-dollars
          version,
          `no run: the spend of ${d.day} recorded in the ledger a rollback replaced, carried into its backup at ${at} so the cap still counts it`,
        );
      const add = db.query(
        "INSERT OR IGNORE INTO delivered_items (identity, tick_id, delivered_at) VALUES (?, ?, ?)",
      );
      let added = 0;
      for (const i of items) added += add.run(i.identity, i.tick_id, i.delivered_at).changes;
      return { days, items: added };
    })();
  } catch (err) {
    if (err instanceof AfkError) throw err;
    throw new AfkError("io", `backup: cannot carry into ${backup}: ${classifyFault(err).what}`, {
      cause: err,
    });
  } finally {
    db.close();
  }
}

/** The backup opened for writing as it is: no migration, no journal change; refused unless it is a ledger with the hand-insert view. */
function writable(path: string): Database {
  if (!existsSync(path)) throw new AfkError("io", `backup: no backup at ${path}`);
  let db: Database;
  try {
    db = new Database(path, { strict: true });
    db.run("PRAGMA busy_timeout = 5000");
  } catch (err) {
    throw new AfkError("io", `backup: cannot open ${path}: ${classifyFault(err).what}`, { cause: err });
  }
  const has = (type: string, name: string) =>
    db
      .query<{ n: number }, [string, string]>(
        "SELECT count(*) AS n FROM sqlite_master WHERE type = ? AND name = ?",
      )
      .get(type, name)?.n === 1;
  if (!(has("view", "ledger") && has("trigger", "ledger_insert") && has("table", "delivered_items"))) {
    db.close();
    throw new AfkError(
      "io",
      `backup: ${path} is not an afk ledger this afk can carry spend into (no ledger view with its insert trigger)`,
    );
  }
  return db;
}
