import type { Database } from "bun:sqlite";
import type { Deps } from "../core/deps.ts";
import { AfkError, describeError } from "../core/errors.ts";
import { EXIT } from "../core/exit.ts";
import { here, sessionIdentity } from "../core/identity.ts";
import { formatUsd } from "../core/money.ts";
import { scheduleFor } from "../spec/slots.ts";
import type { AppContext } from "./app.ts";
import { preloadPipelineNear, type TickEnv, type TickHooks } from "./guarded.ts";
import type { RunnerHandle } from "./handle.ts";
import { type LoopOutcome, type Runner, startRunner } from "./loop.ts";
import { pidfileNamesLiveServe, removePidfile, writePidfile } from "./pidfile.ts";
import type { RunnerPorts } from "./ports.ts";
import { hostSettings } from "./runner-settings.ts";
import {
  acquireServeLease,
  heartbeatServeLease,
  releaseServeLease,
  SERVE_HEARTBEAT_MS,
} from "./serve-lease.ts";
import { closeSession, openSession } from "./session.ts";

export interface ServeEnv {
  app: AppContext;
  ports: RunnerPorts;
  session: string;
  hooks: TickHooks;
  /** The status page: its address checked before anything starts (throws to refuse), bound after; null to run without one. */
  statusServer: {
    check(app: AppContext): void;
    start(app: AppContext, handle: RunnerHandle): { url: string; stop(): Promise<void> };
  } | null;
  /** The work between ticks (delivery retries, the Atom feed), woken after each tick. */
  between(app: AppContext, ports: RunnerPorts): { kick(): void; stop(): Promise<void> };
  harness?: TickEnv["harness"];
  graceMs?: number;
}

/** " on host X" when a lease holder runs on another host. */
function holderHost(session: string): string {
  const id = sessionIdentity(session);
  return id && id.host !== here().host ? ` on host ${id.host}` : "";
}

/**
 * `afk serve` as a function: pidfile, status page, signal handlers, the scheduler loop, and
 * a clean stop. Returns the exit code (0 stopped); a cap halt or the kill flag hold ticks, not the process.
 */
export async function serve(env: ServeEnv): Promise<LoopOutcome> {
  const { app, ports, session } = env;
  const { deps } = app;
  const db = claimServe(env);
  const schedule = scheduleFor(app.loaded.spec, app.host.tickSeconds);
  // Before the pidfile: once it exists, serve is up and about to plan its catch-up (the soak reads it so).
  await preloadPipelineNear(deps.clock, schedule.next(deps.clock.now()));
  writePidfile(app.host.home, deps.pid, session, hostSettings(app.host, app.capMicros));
  openSession(db, { session, pid: deps.pid, mode: schedule.label, at: deps.clock.now() });
  const first = schedule.next(deps.clock.now());
  deps.print(
    `afk serve: pid ${deps.pid} · ${schedule.label} · next run ${first?.toISOString() ?? "none"} · cap ${formatUsd(app.capMicros)}/day · kill flag ${app.host.killFlag} · home ${app.host.home}`,
  );

  // Between ticks: retries as their backoff runs out, and out/digests.atom kept current.
  const worker = env.between(app, ports);
  const runner = startRunner({
    app,
    hooks: env.hooks,
    onTickDone: () => worker.kick(),
    ports,
    session,
    schedule,
    ...(env.harness ? { harness: env.harness } : {}),
    ...(env.graceMs !== undefined ? { graceMs: env.graceMs } : {}),
  });
  const disposeSignals = ports.onStop((why) => {
    deps.warn(`afk serve: ${why} — stopping`);
    runner.requestStop(why);
  });
  const status = startStatusPage(env, runner);
  const cancelBeat = keepLeaseAlive(db, session, ports, deps);

  let outcome: LoopOutcome = { exitCode: EXIT.failed, reason: "runner error" };
  try {
    outcome = await runner.done;
    return outcome;
  } finally {
    cancelBeat();
    releaseServeLease(db, session);
    disposeSignals();
    await worker.stop();
    await status?.stop().catch(() => {});
    closeSession(db, { session, at: deps.clock.now(), reason: outcome.reason, exitCode: outcome.exitCode });
    removePidfile(app.host.home, deps.pid);
    deps.print(`afk serve: stopped (${outcome.reason}), exit ${outcome.exitCode}`);
  }
}

/**
 * The one serve of this AFK_HOME, or `lock_busy` naming the other: its pidfile (an older afk's
 * serve holds no lease), then the ledger's serve lease. A page that could kill the runner is
 * never open without a token: refused before anything starts. Returns the ledger.
 */
function claimServe(env: ServeEnv): Database {
  const { app, session } = env;
  const { deps } = app;
  const other = pidfileNamesLiveServe(app.host.home, deps.pid);
  if (other !== null)
    throw new AfkError(
      "lock_busy",
      `serve: another afk serve (pid ${other}) runs in ${app.host.home}; afk kill stops it`,
    );
  env.statusServer?.check(app);
  const db = app.db();
  const lease = acquireServeLease(db, { pid: deps.pid, session, now: deps.clock.now() });
  if (!lease.ok)
    throw new AfkError(
      "lock_busy",
      `serve: another afk serve (pid ${lease.holder.pid}${holderHost(lease.holder.session)}, since ${lease.holder.acquired_at}) runs in ${app.host.home}; afk kill stops it`,
    );
  return db;
}

/** The status page, when serve has one; a page that fails to start is a warning, the runner goes on. */
function startStatusPage(env: ServeEnv, runner: Runner): { url: string; stop(): Promise<void> } | null {
  const { deps } = env.app;
  try {
    const status = env.statusServer?.start(env.app, runner) ?? null;
    if (status) deps.print(`status page: ${status.url}`);
    return status;
  } catch (err) {
    deps.warn(
      `status page: not started (${err instanceof Error ? err.message : String(err)}); the runner goes on`,
    );
    return null;
  }
}

/** Renews the serve lease every SERVE_HEARTBEAT_MS until cancelled; a lost or unwritten beat is a warning. */
function keepLeaseAlive(db: Database, session: string, ports: RunnerPorts, deps: Deps): () => void {
  let cancel = () => {};
  const beat = () => {
    cancel = ports.after(SERVE_HEARTBEAT_MS, () => {
      try {
        if (!heartbeatServeLease(db, session, deps.clock.now()))
          deps.warn("afk serve: the serve lease was taken over by another serve");
      } catch (err) {
        deps.warn(`afk serve: heartbeat not written: ${describeError(err)}`);
      }
      beat();
    });
  };
  beat();
  return () => cancel();
}
