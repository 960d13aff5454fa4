import { pidAlive } from "../core/pid.ts";
import type { AppContext } from "../runner/app.ts";
import { setAlertPart } from "../status/alert-file.ts";
import { ALERT_TIMEOUT_MS, postNotice } from "../status/notify.ts";
import type { Span } from "../trace/tracer.ts";
import { deliveryAlert, deliveryAlertFileText } from "./alert.ts";
import { type AttemptReport, deliverPending } from "./run.ts";
import { buildSinks } from "./sinks.ts";

export interface DeliverNowOptions {
  span?: Span;
  /** Every pending row, not only the due ones (by hand). */
  all?: boolean;
  isAlive?: (pid: number) => boolean;
  alertTimeoutMs?: number;
}

/**
 * One pass over the outbox for this app: send what is due, then name every sink whose row failed
 * for good (a warning line, a trace event, and a notice to AFK_ALERT_URL when set). out/ALERT.txt
 * holds a part for each sink whose newest digest failed, until that sink delivers again.
 */
export async function deliverNow(app: AppContext, opts: DeliverNowOptions = {}): Promise<AttemptReport[]> {
  const { deps, loaded } = app;
  const db = app.db();
  const sinks = buildSinks(loaded.spec.deliver, deps.env, deps.fetch);
  const reports = await deliverPending({
    db,
    home: app.host.home,
    specName: loaded.spec.name,
    sinks,
    clock: deps.clock,
    pid: deps.pid,
    isAlive: opts.isAlive ?? pidAlive,
    ...(opts.span ? { span: opts.span } : {}),
    ...(opts.all ? { all: true } : {}),
  });
  const redact = (text: string) => sinks.reduce((t, s) => s.redact(t), deps.redact?.(text) ?? text);
  const fileText = deliveryAlertFileText(db, loaded.spec.name, redact);
  if (setAlertPart(app.host.home, "delivery", fileText))
    opts.span?.event(fileText ? "watchdog.deliver_alert_file" : "watchdog.deliver_alert_cleared", {});
  const alert = deliveryAlert(db, loaded.spec.name, deps.clock.now(), opts.span);
  if (alert) {
    for (const line of alert.lines) deps.warn(line);
    if (app.host.alertUrl) {
      const r = await postNotice(
        deps.fetch,
        app.host.alertUrl,
        { title: alert.title, body: alert.body, tags: "warning", priority: "high" },
        opts.alertTimeoutMs ?? ALERT_TIMEOUT_MS,
      );
      if (!r.ok) deps.warn(`deliver: alert notice failed: ${r.error}`);
      opts.span?.event(
        r.ok ? "alert.sent" : "alert.failed",
        r.ok ? { http_status: r.status } : { error: r.error },
      );
    }
  }
  return reports;
}
