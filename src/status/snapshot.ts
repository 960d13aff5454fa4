import type { Database } from "bun:sqlite";
import { dayIn } from "../core/clock.ts";
import { existsLight } from "../core/fs-light.ts";
import { microsToUsd } from "../core/money.ts";
import { join } from "../core/path-light.ts";
import { didWork } from "../core/status.ts";
import { sinkViews } from "../deliver/views.ts";
import { lastTick, slotHasRow, type TickRow } from "../ledger/ticks.ts";
import { overrunsOn } from "../models/calls.ts";
import type { AppBase } from "../runner/app-base.ts";
import type { RunnerHandle } from "../runner/handle.ts";
import { currentHold } from "../runner/hold.ts";
import { liveServeRecord, type PidRecord, settingsOf } from "../runner/pidfile-read.ts";
import { CRON_LATE_MS, type CronRecord, readCronRecord } from "../runner/runner-settings.ts";
import type { Spec } from "../spec/schema.ts";
import { nextSlot, scheduleFor } from "../spec/slots.ts";
import { ALERT_FILE, openAlert } from "./alert.ts";
import { readClock } from "./clock-state.ts";
import { cronLineView } from "./cron-line.ts";
import { hostOf, type ModelView, type SourceView } from "./explain.ts";
import { dayTotals, lastServeSession, lastWorkTick, tickDetail } from "./queries.ts";
import type { StatusSnapshot, TickView } from "./snapshot-view.ts";
import { unattendedDays } from "./unattended.ts";
import { decideVerdict } from "./verdict.ts";

function tickView(t: TickRow | null): TickView | null {
  if (!t) return null;
  const detail = tickDetail(t);
  return {
    id: t.id,
    status: t.status,
    trigger: t.trigger,
    slot: t.slot,
    started_at: t.started_at,
    ended_at: t.ended_at,
    duration_ms: t.ended_at ? new Date(t.ended_at).getTime() - new Date(t.started_at).getTime() : null,
    model: t.model,
    items: t.items,
    value_usd: microsToUsd(t.value_micros),
    reason: t.reason,
    failed_sources: detail.failed_sources,
    fallbacks: detail.fallbacks,
    out_path: t.out_path,
    trace_path: t.trace_path,
  };
}

/** The chain as the page names it: the endpoint an operator would check, never a key. */
function modelViews(spec: Spec, ollamaHost: string): ModelView[] {
  return spec.models.map((m) => {
    switch (m.kind) {
      case "ollama":
        return { id: m.id, kind: m.kind, model: m.model, endpoint: ollamaHost };
      case "openai":
        return { id: m.id, kind: m.kind, model: m.model, endpoint: m.base_url };
      case "extractive":
        return { id: m.id, kind: m.kind, model: null, endpoint: null };
      default: {
        const never: never = m;
        return never;
      }
    }
  });
}

function sourceViews(spec: Spec): SourceView[] {
  return spec.sources.map((src) => ({
    id: src.id,
    where: /^https?:\/\//i.test(src.url) ? hostOf(src.url) : "file",
    optional: src.optional,
  }));
}

/** Grace after a slot falls due before its missing tick counts (the runner's own grace). */
const DUE_GRACE_MS = 60_000;

/** `graceMs`: the runner's grace, or a cron line's lag when the cron line is the runner. */
function dueState(input: SnapshotInput, now: Date, graceMs: number): StatusSnapshot["due"] {
  const { app, db } = input;
  const slot = scheduleFor(app.loaded.spec, app.host.tickSeconds).latest(now);
  const handled = now.getTime() - slot.getTime() < graceMs || slotHasRow(db, slot.toISOString());
  return { slot: slot.toISOString(), handled };
}

function serveState(input: SnapshotInput, live: { pid: number } | null): StatusSnapshot["serve"] {
  const { app, db, handle } = input;
  const session = lastServeSession(db);
  const last_stop =
    session?.ended_at != null
      ? { at: session.ended_at, reason: session.stop_reason, exit_code: session.exit_code }
      : null;
  if (handle) return { running: handle.alive(), pid: app.deps.pid, last_stop };
  return { running: live !== null, pid: live?.pid ?? null, last_stop };
}

/**
 * From another process (`afk status` in a shell without the service's env file), the home's
 * runner's own kill flag, cap and rhythm — a live serve's, else the last cron tick's: the verdict
 * is about what the runner does, as serve's page says.
 */
function asRunnerRuns(
  input: SnapshotInput,
  live: Partial<PidRecord> | null,
  cron: CronRecord | null,
): SnapshotInput {
  const s = (live ? settingsOf(live) : null) ?? cron?.settings;
  if (!s) return input;
  const { app } = input;
  const capUsd = s.cap_source === "SPEND_CAP_USD" ? microsToUsd(s.cap_micros) : undefined;
  const host = { ...app.host, killFlag: s.kill_flag, capUsd, tickSeconds: s.tick_seconds ?? undefined };
  return { ...input, app: { ...app, host, capMicros: s.cap_micros } };
}

export interface SnapshotInput {
  app: AppBase;
  db: Database;
  /** The running serve's handle when the page asks; null for `afk status` from another process. */
  handle: RunnerHandle | null;
}

/** The runner's own answer when it is in this process; otherwise what its schedule would pick. */
function nextRun(input: SnapshotInput, now: Date): StatusSnapshot["next_run"] {
  const { app, handle } = input;
  if (handle) return { at: handle.nextRun()?.toISOString() ?? null, from: "runner" };
  if (app.host.tickSeconds !== undefined) {
    // the runner's loop mode ticks on multiples of the interval since the epoch
    const ms = Math.max(1, Math.round(app.host.tickSeconds * 1000));
    return { at: new Date((Math.floor(now.getTime() / ms) + 1) * ms).toISOString(), from: "tick_seconds" };
  }
  return { at: nextSlot(app.loaded.spec, now)?.toISOString() ?? null, from: "cadence" };
}

/** Builds the snapshot with read-only queries: safe while `serve` writes (WAL). */
export function statusSnapshot(asked: SnapshotInput): StatusSnapshot {
  const live = asked.handle ? null : liveServeRecord(asked.app.host.home, asked.app.deps.pid);
  const record = asked.handle ? null : readCronRecord(asked.app.host.home);
  const input = asRunnerRuns(asked, live, record);
  const { app, db, handle } = input;
  const { spec } = app.loaded;
  const now = app.deps.clock.now();
  const cron = record
    ? cronLineView(record, scheduleFor(spec, record.settings.tick_seconds ?? undefined), now)
    : null;
  const serve = serveState(input, live);
  const day = dayIn(now, spec.timezone);
  const [today] = dayTotals(db, [day]);
  const t = lastTick(db);
  const spent = today?.spendMicros ?? 0;
  const killPresent = existsLight(app.host.killFlag);
  const base: Omit<StatusSnapshot, "verdict"> = {
    generated_at: now.toISOString(),
    version: app.version,
    spec: specView(app),
    today: {
      day,
      ticks: today?.ticks ?? 0,
      by_status: today?.byStatus ?? {},
      spend_micros: spent,
      spend_usd: microsToUsd(spent),
      value_micros: today?.valueMicros ?? 0,
      value_usd: microsToUsd(today?.valueMicros ?? 0),
    },
    last_tick: tickView(t),
    last_work: t && didWork(t.status) ? tickView(t) : tickView(lastWorkTick(db)),
    kill: { flag: app.host.killFlag, present: killPresent },
    cap: capView(input, day, spent),
    next_run: nextRun(input, now),
    hold: holdView(input, now, spent, killPresent),
    due: dueState(input, now, !serve.running && cron?.ticking ? CRON_LATE_MS : DUE_GRACE_MS),
    serve,
    cron,
    alert: alertView(input),
    clock: clockView(input, day),
    deliver: { sinks: sinkViews(db, spec.deliver) },
    runner: runnerView(handle),
  };
  return { ...base, verdict: decideVerdict(base, now) };
}

function specView(app: AppBase): StatusSnapshot["spec"] {
  const { spec } = app.loaded;
  return {
    name: spec.name,
    hash: app.loaded.hash,
    origin: app.loaded.origin,
    timezone: spec.timezone,
    cadence:
      app.host.tickSeconds !== undefined ? `every ${app.host.tickSeconds}s (TICK_SECONDS)` : spec.cadence,
    models: modelViews(spec, app.host.ollamaHost),
    sources: sourceViews(spec),
  };
}

/** Today's spend against the cap, and any paid call a provider billed beyond its reservation. */
function capView({ app, db }: SnapshotInput, day: string, spent: number): StatusSnapshot["cap"] {
  const overrun = overrunsOn(db, day);
  return {
    cap_micros: app.capMicros,
    cap_usd: microsToUsd(app.capMicros),
    source: app.host.capUsd !== undefined ? "SPEND_CAP_USD" : "spec",
    spent_micros: spent,
    remaining_micros: Math.max(0, app.capMicros - spent),
    reached: spent >= app.capMicros,
    overrun: overrun.length
      ? {
          calls: overrun.length,
          over_micros: overrun.reduce((s, o) => s + o.cost_micros - o.reserved_micros, 0),
          links: [...new Set(overrun.map((o) => o.link_id))],
          crossed_by_provider: spent > app.capMicros,
        }
      : null,
  };
}

function holdView(
  { app, db }: SnapshotInput,
  now: Date,
  spent: number,
  killPresent: boolean,
): StatusSnapshot["hold"] {
  const { spec } = app.loaded;
  const hold = currentHold({
    db,
    schedule: scheduleFor(spec, app.host.tickSeconds),
    timeZone: spec.timezone,
    now,
    killFlag: app.host.killFlag,
    flagPresent: killPresent,
    capReached: spent >= app.capMicros,
  });
  return { ...hold, halted: hold.state === "halted", stopped: hold.state === "stopped" };
}

function alertView({ app, db }: SnapshotInput): StatusSnapshot["alert"] {
  const alert = openAlert(db);
  return {
    active: alert !== null,
    file: existsLight(join(app.host.home, ALERT_FILE)) ? ALERT_FILE : null,
    raised_at: alert?.raised_at ?? null,
    since: alert?.since_at ?? null,
    empty_ticks: alert?.empty_ticks ?? 0,
    threshold: app.loaded.spec.watchdog.no_value_ticks,
  };
}

/** The unattended clock (`afk clock start`), when one runs. */
function clockView({ app, db }: SnapshotInput, day: string): StatusSnapshot["clock"] {
  const clock = readClock(db);
  if (!clock) return null;
  return {
    started_at: clock.started_at,
    start_day: clock.start_day,
    unattended_days: unattendedDays(
      { db, spec: app.loaded.spec, tickSeconds: app.host.tickSeconds, clock },
      day,
    ),
  };
}

/** The runner in this process, when the page asks from inside serve. */
function runnerView(handle: RunnerHandle | null): StatusSnapshot["runner"] {
  const due = handle?.lastDueSlotHandled();
  if (!handle || !due) return null;
  return { alive: handle.alive(), last_due_slot: { ok: due.ok, reason: due.ok ? null : due.reason } };
}
