import type { Database } from "bun:sqlite";
import type { Deps } from "../core/deps.ts";
import { type HostConfig, readHostConfig } from "../core/host.ts";
import { pidAlive } from "../core/pid.ts";
import { recoverCrashed } from "../harness/tick-row.ts";
import { openDatabase } from "../ledger/db.ts";
import { installLedgerRedaction } from "../ledger/redact.ts";
import { rememberSpec, resolveSpec } from "../spec/resolve.ts";
import { type AppBase, appBase } from "./app-base.ts";
import { reapOrphanJobs, reportOrphanJobs } from "./job-orphans.ts";
import { tickRowGone } from "./liveness.ts";

/** Everything a command needs, built once from the environment and the spec. */
export interface AppContext extends AppBase {
  /** Opens the ledger on first use, closing crashed rows left by dead processes. */
  db(): Database;
  close(): void;
}

export function hostOf(deps: Deps): HostConfig {
  return readHostConfig(deps.env, deps.cwd);
}

/**
 * Validates the spec (`specPath`, else the embedded or the repo's) and the host before anything
 * is opened or written. `sendsDigests`: the
 * command ticks or delivers (tick, serve, deliver), so the environment variables the spec's sinks
 * name must be set (exit 2 naming the field). Reading commands (status, ledger, …) do not need a
 * sink's credentials and work without them. A spec this version validated before comes from
 * AFK_HOME's cache; the first ledger open stores it there.
 */
export function createAppContext(
  deps: Deps,
  specPath: string | undefined,
  version: string,
  opts: { sendsDigests?: boolean } = {},
): AppContext {
  const host = hostOf(deps);
  // A binary copied alone recreates its embedded spec's local feeds under AFK_HOME (factory).
  const loaded = resolveSpec(specPath, host.home, {
    materialise: true,
    ...(opts.sendsDigests ? { env: deps.env } : {}),
    cacheVersion: version,
  });
  const { base, secrets } = appBase(deps, host, loaded, version);
  const d = base.deps;
  let db: Database | null = null;
  return {
    ...base,
    db() {
      if (!db) {
        db = openDatabase(base.ledgerPath);
        installLedgerRedaction(db, secrets);
        rememberSpec(loaded, host.home, version, d.clock.now());
        const gone = tickRowGone(db);
        // A job group a dead afk left running is ended first, so the crashed row can say so.
        const orphans = reapOrphanJobs(db, host.home, d.pid, gone);
        const crashed = recoverCrashed(db, d.clock.now(), d.pid, pidAlive, gone, orphans.notes);
        for (const r of crashed)
          d.warn(`ledger: tick ${r.id} (pid ${r.pid}) was left running; closed as crashed`);
        reportOrphanJobs(orphans, host.home, d);
      }
      return db;
    },
    close() {
      db?.close();
      db = null;
    },
  };
}
