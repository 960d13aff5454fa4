import type { Database } from "bun:sqlite";
import { holderGone, type LivenessProbe, realProbe, sessionIdentity } from "../core/identity.ts";

/**
 * Who holds (or wants) the tick lock. `session` is random per process and carries its identity
 * (host, boot, PID namespace, start time: core/identity.ts), so a reused pid is told apart.
 */
export interface LockHolder {
  pid: number;
  session: string;
  tickId: string;
  slot: string;
}

export interface LockRow {
  pid: number;
  session: string;
  tick_id: string;
  slot: string;
  acquired_at: string;
}

export type LockResult = { ok: true; stolenFrom: LockRow | null } | { ok: false; holder: LockRow };

export interface LockOptions {
  now: Date;
  isAlive: (pid: number) => boolean;
  /** A holder older than this is stale whatever its pid says (it would have timed out). */
  staleAfterMs: number;
  /** This host's facts, for holders that carry an identity; default the real /proc. */
  probe?: LivenessProbe;
}

/**
 * Whether the holder is gone: proven dead on this host, boot and namespace, or older than the
 * longest tick can be. A holder elsewhere (another host or container) is never dead by its pid.
 */
function staleReason(row: LockRow, me: LockHolder, o: LockOptions): boolean {
  if (sessionIdentity(row.session)) {
    if (
      row.session !== me.session &&
      holderGone(row.pid, row.session, o.probe ?? { ...realProbe, isAlive: o.isAlive })
    )
      return true;
  } else {
    // A bare session, from an older afk: the pid is all there is.
    if (row.pid === me.pid) return row.session !== me.session; // our pid, an earlier process: it is dead
    if (!o.isAlive(row.pid)) return true;
  }
  return o.now.getTime() - Date.parse(row.acquired_at) > o.staleAfterMs;
}

/**
 * Takes the one-tick-at-a-time lock shared by `serve` and cron-mode `afk tick`, in a
 * BEGIN IMMEDIATE transaction so two processes cannot both see it free. A holder that is
 * dead (or stale) is replaced; a live one wins and the caller records `skipped_overlap`.
 */
export function acquireTickLock(db: Database, me: LockHolder, o: LockOptions): LockResult {
  return db
    .transaction((): LockResult => {
      const row = db.query<LockRow, []>("SELECT * FROM runner_lock WHERE name = 'tick'").get();
      if (row && !staleReason(row, me, o)) return { ok: false, holder: row };
      db.query(
        `INSERT OR REPLACE INTO runner_lock (name, pid, session, tick_id, slot, acquired_at)
         VALUES ('tick', ?, ?, ?, ?, ?)`,
      ).run(me.pid, me.session, me.tickId, me.slot, o.now.toISOString());
      return { ok: true, stolenFrom: row };
    })
    .immediate();
}

/** Releases the lock if (and only if) this tick still holds it. */
export function releaseTickLock(db: Database, me: LockHolder): void {
  db.query("DELETE FROM runner_lock WHERE name = 'tick' AND session = ? AND tick_id = ?").run(
    me.session,
    me.tickId,
  );
}

export function readTickLock(db: Database): LockRow | null {
  return db.query<LockRow, []>("SELECT * FROM runner_lock WHERE name = 'tick'").get();
}
