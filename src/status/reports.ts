import type { Database } from "bun:sqlite";
import { formatUsd } from "../core/money.ts";
import { isDelivered, type TickStatus } from "../core/status.ts";
import type { TickRow } from "../ledger/ticks.ts";
import type { TraceRecord } from "../trace/tracer.ts";
import { isoWeek } from "./days.ts";
import { tickDetail } from "./queries.ts";

export interface WeekRow {
  week: string;
  ticks: number;
  delivered: number;
  spendMicros: number;
  valueMicros: number;
  shadowMicros: number;
}

export interface LedgerReport {
  since: string | null;
  ticks: number;
  byStatus: Record<string, number>;
  spendMicros: number;
  valueMicros: number;
  shadowMicros: number;
  weeks: WeekRow[];
}

/** Ticks, dollars in, value out and the paid model's shadow cost, per ISO week of the spec's days. */
export function ledgerReport(db: Database, since: string | null): LedgerReport {
  const rows = db
    .query<{ day: string; status: TickStatus; value: number; spend: number; shadow: number }, [string]>(
      `SELECT t.day, t.status, t.value_micros AS value,
              (SELECT coalesce(sum(c.spend_micros), 0) FROM call_spend c WHERE c.tick_id = t.id) AS spend,
              (SELECT coalesce(sum(c.shadow_micros), 0) FROM call_spend c WHERE c.tick_id = t.id) AS shadow
       FROM ticks t WHERE t.day >= ? ORDER BY t.day`,
    )
    .all(since ?? "");
  const weeks = new Map<string, WeekRow>();
  const report: LedgerReport = {
    since,
    ticks: 0,
    byStatus: {},
    spendMicros: 0,
    valueMicros: 0,
    shadowMicros: 0,
    weeks: [],
  };
  for (const r of rows) {
    const week = isoWeek(r.day);
    const w = weeks.get(week) ?? {
      week,
      ticks: 0,
      delivered: 0,
      spendMicros: 0,
      valueMicros: 0,
      shadowMicros: 0,
    };
    w.ticks++;
    if (isDelivered(r.status)) w.delivered++;
    w.spendMicros += r.spend;
    w.valueMicros += r.value;
    w.shadowMicros += r.shadow;
    weeks.set(week, w);
    report.ticks++;
    report.byStatus[r.status] = (report.byStatus[r.status] ?? 0) + 1;
    report.spendMicros += r.spend;
    report.valueMicros += r.value;
    report.shadowMicros += r.shadow;
  }
  report.weeks = [...weeks.values()];
  return report;
}

/** value ÷ dollars, or "free" when nothing was spent. */
export function ratio(valueMicros: number, spendMicros: number): string {
  if (spendMicros === 0) return "free";
  return `${(valueMicros / spendMicros).toFixed(1)}×`;
}

export function formatLedgerReport(r: LedgerReport): string[] {
  const statuses = Object.entries(r.byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${s} ${n}`)
    .join(", ");
  const lines = [
    `ledger${r.since ? ` since ${r.since}` : ""}: ${r.ticks} ticks${statuses ? ` (${statuses})` : ""}`,
    `dollars in ${formatUsd(r.spendMicros)} · value out ${formatUsd(r.valueMicros)} · ratio ${ratio(r.valueMicros, r.spendMicros)} · shadow cost on the paid model ${formatUsd(r.shadowMicros)}`,
  ];
  if (r.weeks.length === 0) return [...lines, "(no ticks in this range)"];
  const header = ["week", "ticks", "delivered", "dollars in", "value out", "value ÷ $", "shadow"];
  const table = r.weeks.map((w) => [
    w.week,
    String(w.ticks),
    String(w.delivered),
    formatUsd(w.spendMicros),
    formatUsd(w.valueMicros),
    ratio(w.valueMicros, w.spendMicros),
    formatUsd(w.shadowMicros),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? "").length)));
  const fmt = (row: string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [...lines, "", fmt(header), ...table.map(fmt)];
}

/** Statuses an operator looks into: value missing or a guardrail fired. */
export const INCIDENT_STATUSES = ["degraded", "failed", "timeout", "crashed", "halted_cap"] as const;

export interface Incident {
  tick: TickRow;
  errors: string[];
}

/** Degraded and failed ticks with the errors caught on the way (row reason, detail, trace error events). */
export function incidents(
  db: Database,
  since: string | null,
  readTrace: (row: TickRow) => TraceRecord[],
): Incident[] {
  const list = INCIDENT_STATUSES.map((s) => `'${s}'`).join(",");
  const rows = db
    .query<TickRow, [string]>(
      `SELECT * FROM ticks WHERE status IN (${list}) AND day >= ? ORDER BY started_at, rowid`,
    )
    .all(since ?? "");
  return rows.map((tick) => {
    const d = tickDetail(tick);
    const errors = [
      ...d.failed_sources.map(
        (f) => `source ${f.id}${f.optional ? " (optional)" : ""}: ${f.code}: ${f.error}`,
      ),
      ...d.fallbacks.map((f) => `fallback ${f.from} → ${f.to}: ${f.reason}`),
    ];
    for (const r of readTrace(tick)) {
      if (r.error && r.name !== "tick") errors.push(`${r.kind} ${r.name}: ${r.error}`);
    }
    return { tick, errors: [...new Set(errors)] };
  });
}

export function formatIncidents(list: readonly Incident[]): string[] {
  if (list.length === 0) return ["no incidents: every tick delivered cleanly or was skipped by design"];
  const lines: string[] = [];
  for (const { tick, errors } of list) {
    lines.push(`${tick.started_at} ${tick.id} ${tick.status} (${tick.trigger})`);
    lines.push(`  reason: ${tick.reason ?? "(none recorded)"}`);
    for (const e of errors) lines.push(`  - ${e}`);
    lines.push(`  trace: ${tick.trace_path ?? "(none)"} (afk trace ${tick.id})`);
  }
  return lines;
}
