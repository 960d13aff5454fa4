import type { Database } from "bun:sqlite";
import { holderGone, type LivenessProbe, realProbe, sessionIdentity } from "../core/identity.ts";
import type { LockRow } from "./lock.ts";

/** How often a serve refreshes its lease, and after how long without it a holder elsewhere is gone. */
export const SERVE_HEARTBEAT_MS = 60_000;
export const SERVE_LEASE_STALE_MS = 5 * SERVE_HEARTBEAT_MS;

export type ServeLease = { ok: true; replaced: LockRow | null } | { ok: false; holder: LockRow };

/**
 * Takes the one-serve-per-home lease: the `serve` row of `runner_lock`, read and written in one
 * BEGIN IMMEDIATE transaction, so of any number of serves started together exactly one wins. A
 * holder proven gone (same host, boot and namespace; pid dead or reused) is replaced; a holder on
 * another host or namespace only once its heartbeat is older than SERVE_LEASE_STALE_MS.
 */
export function acquireServeLease(
  db: Database,
  me: { pid: number; session: string; now: Date },
  probe: LivenessProbe = realProbe,
): ServeLease {
  return db
    .transaction((): ServeLease => {
      const row = db.query<LockRow, []>("SELECT * FROM runner_lock WHERE name = 'serve'").get();
      if (row && row.session !== me.session) {
        const silent = me.now.getTime() - Date.parse(row.acquired_at) > SERVE_LEASE_STALE_MS;
        const gone = isHere(row, probe) ? holderGone(row.pid, row.session, probe) : silent;
        if (!gone) return { ok: false, holder: row };
      }
      db.query(
        `INSERT OR REPLACE INTO runner_lock (name, pid, session, tick_id, slot, acquired_at)
         VALUES ('serve', ?, ?, '', '', ?)`,
      ).run(me.pid, me.session, me.now.toISOString());
      return { ok: true, replaced: row && row.session !== me.session ? row : null };
    })
    .immediate();
}

/** Whether a holder runs on this host, boot and namespace (then its pid, not its heartbeat, decides). */
function isHere(row: LockRow, probe: LivenessProbe): boolean {
  const id = sessionIdentity(row.session);
  if (!id) return true;
  const h = probe.here();
  return id.host === h.host && id.boot === h.boot && id.ns === h.ns;
}

/** Refreshes the lease's time (the heartbeat a serve elsewhere is judged by); false if it was lost. */
export function heartbeatServeLease(db: Database, session: string, now: Date): boolean {
  return (
    db
      .query("UPDATE runner_lock SET acquired_at = ? WHERE name = 'serve' AND session = ?")
      .run(now.toISOString(), session).changes === 1
  );
}

/** Gives the lease up, if this serve still holds it. */
export function releaseServeLease(db: Database, session: string): void {
  db.query("DELETE FROM runner_lock WHERE name = 'serve' AND session = ?").run(session);
}
