import { join } from "node:path";
import { describeError } from "../core/errors.ts";
import { formatUsd } from "../core/money.ts";
import { deliverNow } from "../deliver/now.ts";
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

/**
 * Called by the runner once after every closed tick (refused, halted and skipped ones too):
 * the run log, delivery to the spec's sinks, the watchdog and the dead-man ping hang off it. Never throws: a failure here
 * must not fail a tick that already closed; every failure is a trace event and a warning.
 */
export async function afterTick(input: AfterTickInput): Promise<void> {
  const { app, summary } = input;
  const timeouts = input.timeouts ?? { pingMs: PING_TIMEOUT_MS, alertMs: ALERT_TIMEOUT_MS };
  let span: Span | null = null;
  try {
    const { deps, loaded, host } = app;
    span = rootSpan(
      summary.tickId,
      fileSink(join(host.home, summary.tracePath), deps.redact),
      deps.clock,
      "after_tick",
    ).set({ status: summary.status });
    const s = span;
    const db = app.db();
    const now = deps.clock.now();
    const sends: Promise<void>[] = [];

    await isolated(app, s, "run_log", () => {
      const row = getTick(db, summary.tickId);
      if (row) {
        const line = logIntervention(db, host.home, loaded.spec, row);
        if (line) s.event("run_log.intervention", { tick: row.id });
      }
      const written = catchUpRunLog(db, host.home, { spec: loaded.spec, tickSeconds: host.tickSeconds }, now);
      if (written.length) s.event("run_log.days", { lines: written.length });
    });

    // The digest that just landed (and any row due for a retry) goes to the spec's sinks.
    if (loaded.spec.deliver.length > 0)
      await isolated(app, s, "deliver", () => deliverNow(app, { span: s }).then(() => {}));

    await isolated(app, s, "watchdog", () => {
      const action = evaluateWatchdog(db, loaded, now);
      applyWatchdog(db, host.home, action, now);
      if (action.kind !== "none")
        s.event(`watchdog.${action.kind}`, {
          empty_ticks: action.kind === "resolve" ? 0 : action.alert.empty_ticks,
        });
      const n = notice(app, action);
      if (n && host.alertUrl) {
        const url = host.alertUrl;
        sends.push(
          postNotice(deps.fetch, url, n, timeouts.alertMs).then((r) => reportSend(app, s, "alert", r)),
        );
      }
    });

    await isolated(app, s, "hold_notice", () => {
      const n = capHaltNotice(db, summary, loaded.spec, scheduleFor(loaded.spec, host.tickSeconds), now);
      if (!n) return;
      s.event("hold.halted", { tick: summary.tickId });
      deps.print(`notice: ${n.title}`);
      if (host.alertUrl) {
        const url = host.alertUrl;
        sends.push(
          postNotice(deps.fetch, url, n, timeouts.alertMs).then((r) => reportSend(app, s, "alert", r)),
        );
      }
    });

    await isolated(app, s, "overrun", () => {
      const n = overrunNotice(db, loaded.spec.name, app.capMicros, summary);
      if (!n) return;
      s.event("overrun.notice", { calls: n.calls, crossed_cap: n.crossed });
      deps.print(`notice: ${n.title}`);
      if (host.alertUrl) {
        const url = host.alertUrl;
        sends.push(
          postNotice(deps.fetch, url, n, timeouts.alertMs).then((r) => reportSend(app, s, "alert", r)),
        );
      }
    });

    if (host.pingUrl) {
      const body = `${summary.tickId} ${summary.status}${summary.reason ? `: ${summary.reason}` : ""} (value ${formatUsd(summary.valueMicros)})\n`;
      const url = host.pingUrl;
      sends.push(
        ping(deps.fetch, url, summary.status, body, timeouts.pingMs).then((r) =>
          reportSend(app, s, "ping", r),
        ),
      );
    }
    await Promise.all(sends);
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
