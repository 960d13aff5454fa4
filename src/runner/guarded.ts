import { type Clock, realDelayMs } from "../core/clock.ts";
import { describeError } from "../core/errors.ts";
import type { ClosedStatus, Trigger } from "../core/status.ts";
import { untilAborted } from "../core/wait.ts";
import { TickStop } from "../harness/abort.ts";
import type { EnqueueDeliveries, HarnessContext } from "../harness/context.ts";
import { newTickId } from "../harness/ids.ts";
import {
  endBeforeStart,
  type OpenTick,
  openTickOf,
  type TickSummary,
  tickSink,
} from "../harness/tick-row.ts";
import type { TraceSink } from "../trace/tracer.ts";
import type { AppContext } from "./app.ts";
import { type CatchUpPlan, recordCatchUp } from "./catchup.ts";
import { flagPresent } from "./flag.ts";
import { CAP_LINE, checkGuard, KILL_LINE } from "./guard.ts";
import { acquireTickLock, type LockHolder, releaseTickLock } from "./lock.ts";
import type { RunnerPorts } from "./ports.ts";
import { tickAborts } from "./tick-aborts.ts";

/**
 * What the operator's side does around each tick (the start ping; the watchdog, run log, notices
 * and deliveries after). Injected by cli, so the runner never imports the rings above it.
 */
export interface TickHooks {
  /** Before the harness starts; a stop does not wait for it. */
  beforeTick(app: AppContext): Promise<void>;
  /** After the row is closed; a failure here is a warning, never the tick's. */
  afterTick(app: AppContext, summary: TickSummary): Promise<void>;
  /** Records a delivered unit's outbox rows with its row's close (deliver/outbox.ts). */
  enqueue: EnqueueDeliveries;
}

/** What a guarded tick needs besides the app: the process facts, the hooks and (for tests) the harness parts. */
export interface TickEnv {
  app: AppContext;
  hooks: TickHooks;
  ports: Pick<RunnerPorts, "isAlive" | "after">;
  /** Random per process; tells a reused pid apart in the lock. */
  session: string;
  /** Tests only: a fetch that misbehaves (ignores its abort). */
  harness?: Partial<Pick<HarnessContext, "fetchSources">>;
}

export interface GuardedRequest {
  trigger: Trigger;
  slot: Date;
  force: boolean;
  /** The runner's stop signal: when it aborts, the tick in flight is killed. */
  stop?: AbortSignal;
  /** Pre-chosen id, so the runner can close the row itself if the tick does not end in time. */
  tickId?: string;
  catchup?: CatchUpPlan;
  /**
   * Called synchronously, before any await, when the guard refuses or halts: a runner stops
   * its loop at once instead of after the row's afterTick.
   */
  onGuardStop?: (s: TickSummary) => void;
}

/**
 * The tick pipeline (sources and their feed parsers, the model chain and its clients, the job
 * runner), imported when a tick first needs it rather than at start: a serve idle between daily
 * slots never holds them (bench: serve_idle_rss_mb). Kept once loaded, so every later tick reaches
 * the harness with no await in between, as before (two ticks' rows open in the order they started).
 */
type Pipeline = Pick<HarnessContext, "fetchSources" | "callers"> & {
  runTick: typeof import("../harness/tick.ts").runTick;
};
let loadedPipeline: Pipeline | null = null;

async function loadPipeline(): Promise<Pipeline> {
  const [{ runTick }, { defaultLinkCallers }, { fetchSources }] = await Promise.all([
    import("../harness/tick.ts"),
    import("../models/link-callers.ts"),
    import("../sources/index.ts"),
  ]);
  loadedPipeline = { runTick, callers: defaultLinkCallers, fetchSources };
  return loadedPipeline;
}

/** How long (real time) before a slot the tick pipeline is loaded: a few seconds of import at most. */
const PRELOAD_BEFORE_MS = 60_000;

/**
 * Loads the pipeline when the slot `next` is near (within a minute of real time; always on the
 * soak's and the demo's compressed clocks), so that tick starts on time rather than after its
 * imports; a serve idle until a distant slot loads nothing. Never rejects: a failure to load is left
 * to the tick that needs it, which records it in its row.
 */
export async function preloadPipelineNear(clock: Clock, next: Date | null): Promise<void> {
  if (loadedPipeline || !next || realDelayMs(clock, next) >= PRELOAD_BEFORE_MS) return;
  await loadPipeline().catch(() => {});
}

function sinkOf(env: TickEnv, open: OpenTick): TraceSink {
  return tickSink(env.app.host.home, env.app.deps.redact, open);
}

function openTick(env: TickEnv, req: GuardedRequest, tickId: string, now: Date): OpenTick {
  const { app } = env;
  return openTickOf({
    id: tickId,
    slot: req.slot,
    trigger: req.trigger,
    now,
    loaded: app.loaded,
    version: app.version,
    pid: app.deps.pid,
  });
}

/** A tick that ends before it starts: one closed row and a one-span trace saying why. */
function recordShort(
  env: TickEnv,
  open: OpenTick,
  status: ClosedStatus,
  reason: string,
  attrs: Record<string, string | number>,
): TickSummary {
  return endBeforeStart(env.app.db(), open, sinkOf(env, open), env.app.deps.clock, { status, reason, attrs });
}

/**
 * The guard alone: the kill flag, then the cap and the pre-flight. Returns the closed
 * summary when the tick must not run (and prints the lab's exact line), or null to go on.
 * Nothing is fetched, no model is called and no file is written in out/.
 */
export function guardOnly(req: GuardedRequest, env: TickEnv): TickSummary | null {
  const { app } = env;
  const now = app.deps.clock.now();
  const verdict = checkGuard({
    db: app.db(),
    spec: app.loaded.spec,
    capMicros: app.capMicros,
    now,
    killFlag: app.host.killFlag,
    flagPresent: flagPresent(app.host.killFlag),
  });
  if (verdict.kind === "go") return null;
  const open = openTick(env, req, req.tickId ?? newTickId(now), now);
  if (verdict.kind === "refused_kill") {
    app.deps.print(KILL_LINE);
    return recordShort(env, open, "refused_kill", verdict.reason, { kill_flag: app.host.killFlag });
  }
  app.deps.print(CAP_LINE);
  return recordShort(env, open, "halted_cap", verdict.reason, {
    spent_micros: verdict.spentMicros,
    worst_case_micros: verdict.worstMicros,
    cap_micros: app.capMicros,
  });
}

/**
 * A slot the runner passed without running it (only the latest of several due slots runs): the
 * guard first, so a slot of a capped day is `halted_cap` and one under the kill flag
 * `refused_kill`, as if it had been launched; else `skipped_overlap` with `reason`. One row.
 */
export function recordPassedSlot(env: TickEnv, slot: Date, reason: string, supersededBy: Date): TickSummary {
  const req: GuardedRequest = { trigger: "schedule", slot, force: false };
  const guarded = guardOnly(req, env);
  if (guarded) return guarded;
  const now = env.app.deps.clock.now();
  const open = openTick(env, req, newTickId(now), now);
  return recordShort(env, open, "skipped_overlap", reason, { superseded_by: supersededBy.toISOString() });
}

/**
 * One tick as the runner runs it: guard → one-tick-at-a-time lock → the harness with a stop
 * signal (runner stop = `killed`, max tick time = `timeout`) and the kill flag checked at
 * every step boundary → `afterTick`. Always exactly one closed row.
 */
export async function guardedTick(req: GuardedRequest, env: TickEnv): Promise<TickSummary> {
  const summary = await guardedTickInner(req, env);
  try {
    await env.hooks.afterTick(env.app, summary);
  } catch (err) {
    env.app.deps.warn(`afterTick failed for ${summary.tickId}: ${describeError(err)}`);
  }
  return summary;
}

async function guardedTickInner(req: GuardedRequest, env: TickEnv): Promise<TickSummary> {
  const { app } = env;
  const tickId = req.tickId ?? newTickId(app.deps.clock.now());
  const refused = guardOnly({ ...req, tickId }, env);
  if (refused) {
    req.onGuardStop?.(refused);
    return refused;
  }
  const pipeline = loadedPipeline ?? (await loadPipeline());
  const now = app.deps.clock.now();
  const lock = takeTickLock(env, req, tickId, now);
  if (!lock.ok) return lock.skipped;
  const aborts = tickAborts(app, env.ports, req.stop, now);
  try {
    return await runHarness(env, req, tickId, now, aborts.signal, pipeline);
  } finally {
    aborts.dispose();
    releaseTickLock(app.db(), lock.me);
  }
}

/**
 * One tick at a time: the ledger's tick lock for this process, or the slot recorded
 * `skipped_overlap` naming the tick that holds it. A holder whose process is gone (or stale past
 * twice the max tick time) is taken over, with a warning.
 */
function takeTickLock(
  env: TickEnv,
  req: GuardedRequest,
  tickId: string,
  now: Date,
): { ok: true; me: LockHolder } | { ok: false; skipped: TickSummary } {
  const { app } = env;
  const me: LockHolder = { pid: app.deps.pid, session: env.session, tickId, slot: req.slot.toISOString() };
  const lock = acquireTickLock(app.db(), me, {
    now,
    isAlive: env.ports.isAlive,
    staleAfterMs: (app.loaded.spec.limits.max_tick_seconds * 2 + 60) * 1000,
  });
  if (!lock.ok) {
    const h = lock.holder;
    const reason = `tick ${h.tick_id} (pid ${h.pid}, slot ${h.slot}) still running since ${h.acquired_at}`;
    app.deps.print(`slot ${me.slot}: skipped — ${reason}`);
    const skipped = recordShort(env, openTick(env, req, tickId, now), "skipped_overlap", reason, {
      holder_pid: h.pid,
      holder_tick: h.tick_id,
    });
    return { ok: false, skipped };
  }
  if (lock.stolenFrom)
    app.deps.warn(
      `lock: took over from tick ${lock.stolenFrom.tick_id} (pid ${lock.stolenFrom.pid}), which is gone`,
    );
  return { ok: true, me };
}

/** Under the lock: the start ping, the catch-up record, then the harness with the kill flag at every step boundary. */
async function runHarness(
  env: TickEnv,
  req: GuardedRequest,
  tickId: string,
  now: Date,
  signal: AbortSignal,
  { runTick, callers, fetchSources }: Pipeline,
): Promise<TickSummary> {
  const { app } = env;
  const db = app.db();
  // The start ping is bounded by its own timeout; a stop does not wait for it.
  await Promise.race([env.hooks.beforeTick(app), untilAborted(signal)]);
  if (req.catchup)
    recordCatchUp(db, tickId, req.catchup, now, sinkOf(env, openTick(env, req, tickId, now)), app.deps.clock);
  return await runTick(
    { trigger: req.trigger, slot: req.slot, force: req.force, tickId },
    {
      loaded: app.loaded,
      db,
      deps: app.deps,
      home: app.host.home,
      version: app.version,
      capMicros: app.capMicros,
      signal,
      checkpoint: (step) => {
        if (flagPresent(app.host.killFlag))
          throw new TickStop("killed", `kill flag ${app.host.killFlag} appeared; stopped before ${step}`);
      },
      fetchSources: env.harness?.fetchSources ?? fetchSources,
      callers,
      enqueue: env.hooks.enqueue,
    },
  );
}
