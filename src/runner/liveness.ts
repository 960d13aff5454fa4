import type { Database } from "bun:sqlite";
import { holderGone, type LivenessProbe, realProbe } from "../core/identity.ts";
import type { TickRow } from "../ledger/ticks.ts";
import { readTickLock } from "./lock.ts";

/**
 * Whether a `running` tick row's process is gone. A guarded tick holds the tick lock until its row is
 * closed, and the lock's session carries the holder's host, boot, PID namespace and start time: the
 * row of the lock's tick is judged by that identity, so a tick running in another container or on
 * another host sharing this AFK_HOME is never closed as crashed by a pid check here. A row without
 * the lock (an older afk, a lock taken over as stale) falls back to its pid.
 */
export function tickRowGone(db: Database, probe: LivenessProbe = realProbe): (row: TickRow) => boolean {
  const lock = readTickLock(db);
  return (row) =>
    lock !== null && lock.tick_id === row.id
      ? holderGone(lock.pid, lock.session, probe)
      : !probe.isAlive(row.pid);
}
