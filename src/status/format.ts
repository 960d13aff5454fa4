import { formatUsd } from "../core/money.ts";
import { formatSinks } from "../deliver/report.ts";
import type { StatusSnapshot } from "./snapshot.ts";

function counts(by: Record<string, number>): string {
  const parts = Object.entries(by)
    // Code-point order: statuses are ASCII, and localeCompare loads ICU's collator (a cold start's ms).
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([s, n]) => `${s} ${n}`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return "still running";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** `afk status` as a person reads it: one fact per line, the same facts as the JSON. */
export function formatStatus(s: StatusSnapshot): string[] {
  const t = s.today;
  const lines = [
    `afk ${s.version} · spec ${s.spec.name} ${s.spec.hash} (${s.spec.origin})`,
    `today ${t.day} (${s.spec.timezone}): ${t.ticks} tick${t.ticks === 1 ? "" : "s"}${counts(t.by_status)} · spend ${formatUsd(t.spend_micros)} of ${formatUsd(s.cap.cap_micros)} cap · value ${formatUsd(t.value_micros)}`,
  ];
  const l = s.last_tick;
  if (!l) lines.push("last tick: none yet");
  else {
    lines.push(
      `last tick ${l.id}: ${l.status} · ${formatDuration(l.duration_ms)} · model ${l.model ?? "none"} · ${l.trigger} at ${l.started_at}`,
    );
    if (l.reason) lines.push(`  reason: ${l.reason}`);
    for (const f of l.fallbacks) lines.push(`  fallback ${f.from} → ${f.to}: ${f.reason}`);
    for (const f of l.failed_sources)
      lines.push(`  source ${f.id}${f.optional ? " (optional)" : ""} failed: ${f.code}: ${f.error}`);
    if (l.out_path) lines.push(`  digest: ${l.out_path}`);
    lines.push(`  trace: ${l.trace_path ?? "(none)"} (afk trace ${l.id})`);
  }
  lines.push(`kill flag: ${s.kill.present ? "PRESENT — ticks are refused" : "absent"} (${s.kill.flag})`);
  lines.push(
    s.cap.reached
      ? `cap: REACHED — ${formatUsd(s.cap.spent_micros)} spent of ${formatUsd(s.cap.cap_micros)} (${s.cap.source}); paid calls stop until tomorrow`
      : `cap: ${formatUsd(s.cap.remaining_micros)} left of ${formatUsd(s.cap.cap_micros)} today (${s.cap.source})`,
  );
  if (s.hold.halted)
    lines.push(
      `HALTED at the spend cap since ${s.hold.since ?? "today"} — resumes by itself at ${s.hold.resumes_at ?? "(no next slot)"}; no person needed`,
    );
  else if (s.hold.stopped) lines.push("STOPPED by the kill flag — `afk arm` resumes at the next slot");
  lines.push(`next run: ${s.next_run.at ?? "none scheduled"} (${s.next_run.from}: ${s.spec.cadence})`);
  lines.push(
    s.alert.active
      ? `alert: RAISED at ${s.alert.raised_at} — ${s.alert.empty_ticks} ticks without value since ${s.alert.since} (${s.alert.file ?? "ALERT.txt missing"})`
      : `alert: none (raised after ${s.alert.threshold} ticks in a row without value)`,
  );
  lines.push(
    s.clock
      ? `clock: started ${s.clock.started_at} · ${s.clock.unattended_days} consecutive unattended day${s.clock.unattended_days === 1 ? "" : "s"}`
      : "clock: not started (afk clock start)",
  );
  lines.push(...formatSinks(s.deliver.sinks));
  if (s.runner)
    lines.push(
      `runner: ${s.runner.alive ? "alive" : "stopped"} · last due slot ${s.runner.last_due_slot.ok ? "handled" : `NOT handled: ${s.runner.last_due_slot.reason}`}`,
    );
  return lines;
}
