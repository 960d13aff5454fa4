import type { Database } from "bun:sqlite";
import { microsToUsd } from "../core/money.ts";
import { TICK_STATUSES } from "../core/status.ts";
import { allTimeTotals, sourceFailureCounts, sourceHealth, ticksByStatus } from "./queries.ts";
import type { StatusSnapshot } from "./snapshot.ts";

type Sample = { labels?: Record<string, string>; value: number };

/** Label values escaped as the text exposition format requires. */
function labelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function family(name: string, type: "counter" | "gauge", help: string, samples: readonly Sample[]): string[] {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const s of samples) {
    const labels = Object.entries(s.labels ?? {});
    const l = labels.length ? `{${labels.map(([k, v]) => `${k}="${labelValue(v)}"`).join(",")}}` : "";
    lines.push(`${name}${l} ${Number.isFinite(s.value) ? s.value : 0}`);
  }
  return lines;
}

/** Prometheus text exposition (version 0.0.4) of the ledger and the snapshot; money in USD. */
export function renderMetrics(db: Database, snap: StatusSnapshot): string {
  const byStatus = ticksByStatus(db);
  const totals = allTimeTotals(db);
  const health = sourceHealth(db) ?? [];
  const failures = sourceFailureCounts(db);
  const sources = [...new Set([...health.map((h) => h.source_id), ...Object.keys(failures)])].sort();
  const lastSuccess = db
    .query<{ at: string | null }, []>(
      "SELECT max(coalesce(ended_at, started_at)) AS at FROM ticks WHERE status IN ('ok','degraded')",
    )
    .get()?.at;
  const out = [
    ...family("afk_info", "gauge", "Version and spec hash of this afk (always 1).", [
      { labels: { version: snap.version, spec: snap.spec.name, spec_hash: snap.spec.hash }, value: 1 },
    ]),
    ...family(
      "afk_ticks_total",
      "counter",
      "Ticks recorded in the ledger, by status.",
      TICK_STATUSES.map((status) => ({ labels: { status }, value: byStatus[status] ?? 0 })),
    ),
    ...family(
      "afk_spend_usd_total",
      "counter",
      "Dollars spent on models, all time (settled plus open reservations).",
      [{ value: microsToUsd(totals.spendMicros) }],
    ),
    ...family("afk_value_usd_total", "counter", "Value delivered in dollars, all time.", [
      { value: microsToUsd(totals.valueMicros) },
    ]),
    ...family(
      "afk_shadow_usd_total",
      "counter",
      "What the same model work would have cost on the paid model, all time.",
      [{ value: microsToUsd(totals.shadowMicros) }],
    ),
    ...family("afk_spend_today_usd", "gauge", "Dollars spent today (the cap's day, spec time zone).", [
      { value: snap.today.spend_usd },
    ]),
    ...family("afk_value_today_usd", "gauge", "Value delivered today in dollars.", [
      { value: snap.today.value_usd },
    ]),
    ...family("afk_cap_usd", "gauge", "Daily spend cap in dollars.", [{ value: snap.cap.cap_usd }]),
    ...family("afk_cap_reached", "gauge", "1 when today's spend has reached the cap.", [
      { value: snap.cap.reached ? 1 : 0 },
    ]),
    ...family(
      "afk_last_success_timestamp_seconds",
      "gauge",
      "Unix time the last delivering tick (ok or degraded) ended; 0 when none has.",
      [{ value: lastSuccess ? Math.floor(new Date(lastSuccess).getTime() / 1000) : 0 }],
    ),
    ...family("afk_kill_flag", "gauge", "1 while the kill flag exists.", [
      { value: snap.kill.present ? 1 : 0 },
    ]),
    ...family("afk_alert_active", "gauge", "1 while the watchdog alert is raised.", [
      { value: snap.alert.active ? 1 : 0 },
    ]),
    ...family("afk_runner_up", "gauge", "1 while the runner's scheduler loop is alive.", [
      { value: snap.runner?.alive ? 1 : 0 },
    ]),
    ...family(
      "afk_source_failures_total",
      "counter",
      "Ticks in which a source failed to fetch, by source.",
      sources.map((source) => ({ labels: { source }, value: failures[source] ?? 0 })),
    ),
    ...family(
      "afk_source_consecutive_failures",
      "gauge",
      "Fetches in a row that failed, by source (0 after a success).",
      health.map((h) => ({ labels: { source: h.source_id }, value: h.consecutive_failures })),
    ),
  ];
  return `${out.join("\n")}\n`;
}
