import { join } from "node:path";
import { describeError } from "../core/errors.ts";
import { formatUsd } from "../core/money.ts";
import type { TickSummary } from "../harness/tick-row.ts";
import { getTick } from "../ledger/ticks.ts";
import type { AppContext } from "../runner/app.ts";
import { scheduleFor } from "../spec/slots.ts";
import { fileSink, rootSpan, type Span } from "../trace/tracer.ts";
import { capHaltNotice } from "./hold-notice.ts";
import { ALERT_TIMEOUT_MS, PING_TIMEOUT_MS, ping, postNotice, type SendResult } from "./notify.ts";
import { overrunNotice } from "./overrun-notice.ts";
import { catchUpRunLog, logIntervention } from "./run-log.ts";
import { applyWatchdog, evaluateWatchdog, type WatchdogAction } from "./watchdog.ts";

export interface AfterTickInput {
  app: AppContext;
  summary: TickSummary;
  /** Bounds on outbound notices (tests shorten them); defaults are the real ones. */
  timeouts?: { pingMs: number; alertMs: number };
}

/** One step of the hook: its failure becomes a trace event and a warning, and the next step still runs. */
async function isolated(app: AppContext, span: Span, step: string, fn: () => Promise<void> | void) {
  try {
    await fn();
  } catch (err) {
    span.event(`after_tick.${step}_failed`, {}, err);
    app.deps.warn(`after-tick: ${step}: ${describeError(err)}`);
  }
}

function reportSend(app: AppContext, span: Span, what: string, r: SendResult): void {
  if (r.ok) span.event(`${what}.sent`, { http_status: r.status });
  else {
    span.event(`${what}.failed`, { error: r.error });
    app.deps.warn(`after-tick: ${what} failed: ${r.error}`);
  }
}

function notice(app: AppContext, action: WatchdogAction) {
  const n = noticeText(app, action);
  const redact = app.deps.redact ?? ((t: string) => t);
  return n && { ...n, title: redact(n.title), body: redact(n.body) };
}

function noticeText(app: AppContext, action: WatchdogAction) {
  const name = app.loaded.spec.name;
  if (action.kind === "raise")
    return {
      title:
        action.alert.empty_ticks > 0
          ? `afk: ${name} has produced no value for ${action.alert.empty_ticks} ticks`
          : `afk: ${name} has been quiet since ${action.alert.since_at}`,
      body: action.text,
      tags: "warning",
      priority: "high" as const,
    };
  if (action.kind === "resolve")
    return {
      title: `afk: ${name} resolved - value landed again`,
      body: `Resolved: tick ${action.by.id} (${action.by.status}) delivered ${action.by.out_path ?? "value"} at ${action.by.ended_at ?? action.by.started_at}.\nThe alert raised at ${action.alert.raised_at} (no value since ${action.alert.since_at}) is cleared; out/ALERT.txt was removed.\n`,
      tags: "white_check_mark",
      priority: "default" as const,
    };
  return null;
}

/** One afterTick call's shared parts: the span its steps report on and the notices still in flight. */
interface HookRun {
  app: AppContext;
  summary: TickSummary;
  span: Span;
  now: Date;
  timeouts: { pingMs: number; alertMs: number };
  sends: Promise<void>[];
}

/**
 * Called by the runner once after every closed tick (refused, halted and skipped ones too):
 * the run log, delivery to the spec's sinks, the watchdog and the dead-man ping hang off it. Never throws: a failure here
 * must not fail a tick that already closed; every failure is a trace event and a warning.
 */
export async function afterTick(input: AfterTickInput): Promise<void> {
  const { app, summary } = input;
  let span: Span | null = null;
  try {
    const { deps, host } = app;
    span = rootSpan(
      summary.tickId,
      fileSink(join(host.home, summary.tracePath), deps.redact),
      deps.clock,
      "after_tick",
    ).set({ status: summary.status });
    const s = span;
    const r: HookRun = {
      app,
      summary,
      span: s,
      now: deps.clock.now(),
      timeouts: input.timeouts ?? { pingMs: PING_TIMEOUT_MS, alertMs: ALERT_TIMEOUT_MS },
      sends: [],
    };
    await isolated(app, s, "run_log", () => runLogStep(r));
    // The digest that just landed (and any row due for a retry) goes to the spec's sinks.
    if (app.loaded.spec.deliver.length > 0)
      // The sinks (SMTP, HTTP) load when a digest is to be sent, not when serve starts.
      await isolated(app, s, "deliver", async () => {
        const { deliverNow } = await import("../deliver/now.ts");
        await deliverNow(app, { span: s });
      });
    await isolated(app, s, "watchdog", () => watchdogStep(r));
    await isolated(app, s, "hold_notice", () => holdNoticeStep(r));
    await isolated(app, s, "overrun", () => overrunStep(r));
    pingStep(r);
    await Promise.all(r.sends);
    span.end("ok");
  } catch (err) {
    span?.end("error", err);
    try {
      app.deps.warn(`after-tick: ${describeError(err)}`);
    } catch {
      // warn itself failed (closed stderr): nothing left to tell, and the tick is already closed
    }
  }
}

/** The tick's intervention line (if any) and every finished day's line in the run log. */
function runLogStep(r: HookRun): void {
  const { app, span, summary, now } = r;
  const { host, loaded } = app;
  const db = app.db();
  const row = getTick(db, summary.tickId);
  if (row) {
    const line = logIntervention(db, host.home, loaded.spec, row);
    if (line) span.event("run_log.intervention", { tick: row.id });
  }
  const written = catchUpRunLog(db, host.home, { spec: loaded.spec, tickSeconds: host.tickSeconds }, now);
  if (written.length) span.event("run_log.days", { lines: written.length });
}

/** The watchdog's decision applied (out/ALERT.txt raised or cleared) and its notice sent. */
function watchdogStep(r: HookRun): void {
  const { app, span, now } = r;
  const db = app.db();
  const action = evaluateWatchdog(db, app.loaded, now);
  applyWatchdog(db, app.host.home, action, now);
  if (action.kind !== "none")
    span.event(`watchdog.${action.kind}`, {
      empty_ticks: action.kind === "resolve" ? 0 : action.alert.empty_ticks,
    });
  const n = notice(app, action);
  if (n) sendAlert(r, n);
}

/** A capped day's one notice, on its first refusal. */
function holdNoticeStep(r: HookRun): void {
  const { app, span, summary, now } = r;
  const { loaded, host } = app;
  const n = capHaltNotice(app.db(), summary, loaded.spec, scheduleFor(loaded.spec, host.tickSeconds), now);
  if (!n) return;
  span.event("hold.halted", { tick: summary.tickId });
  app.deps.print(`notice: ${n.title}`);
  sendAlert(r, n);
}

/** A provider billing beyond a call's reservation: one notice. */
function overrunStep(r: HookRun): void {
  const { app, span, summary } = r;
  const n = overrunNotice(app.db(), app.loaded.spec.name, app.capMicros, summary);
  if (!n) return;
  span.event("overrun.notice", { calls: n.calls, crossed_cap: n.crossed });
  app.deps.print(`notice: ${n.title}`);
  sendAlert(r, n);
}

/** Posts a notice to AFK_ALERT_URL when one is set; its outcome is reported on the span. */
function sendAlert(r: HookRun, n: Parameters<typeof postNotice>[2]): void {
  const { app, span } = r;
  const url = app.host.alertUrl;
  if (!url) return;
  r.sends.push(
    postNotice(app.deps.fetch, url, n, r.timeouts.alertMs).then((res) => reportSend(app, span, "alert", res)),
  );
}

/** The dead-man ping after every tick, when AFK_PING_URL is set. */
function pingStep(r: HookRun): void {
  const { app, span, summary } = r;
  const url = app.host.pingUrl;
  if (!url) return;
  const body = `${summary.tickId} ${summary.status}${summary.reason ? `: ${summary.reason}` : ""} (value ${formatUsd(summary.valueMicros)})\n`;
  r.sends.push(
    ping(app.deps.fetch, url, summary.status, body, r.timeouts.pingMs).then((res) =>
      reportSend(app, span, "ping", res),
    ),
  );
}
