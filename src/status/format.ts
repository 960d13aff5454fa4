import { formatUsd } from "../core/money.ts";
import { formatSinks } from "../deliver/report.ts";
import type { StatusSnapshot } from "./snapshot-view.ts";
import { relativeTime, relativeWithExact } from "./when.ts";

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

/** "stopped" / "halted" / "not running": what the next run line says instead of a time. */
export function nextRunHeld(s: StatusSnapshot): string | null {
  const v = s.verdict;
  switch (v.verdict) {
    case "stopped":
      return "none while the kill flag is present";
    case "halted":
      return "none while the cap holds";
    case "not running":
      return "none: nothing is running to start it";
    case "delivering":
    case "degraded":
    case "quiet":
    case "failing":
      return null;
    default: {
      const never: never = v.verdict;
      return never;
    }
  }
}

/** The verdict block that opens `afk status`: the verdict first, then each reason once, then how it resumes. */
export function formatVerdict(s: StatusSnapshot, now: Date): string[] {
  const v = s.verdict;
  const tz = s.spec.timezone;
  const [first, ...rest] = v.reasons;
  const lastValue = s.last_work?.status === "ok" || s.last_work?.status === "degraded" ? s.last_work : null;
  const head =
    first?.text ??
    (lastValue
      ? `last digest ${relativeTime(new Date(lastValue.ended_at ?? lastValue.started_at), now, tz)}`
      : "");
  const lines = [head ? `${v.verdict} — ${head}` : v.verdict];
  for (const r of rest) lines.push(`  · ${r.text}`);
  if (v.resumes)
    lines.push(
      v.resumes.at
        ? `  resumes ${relativeWithExact(v.resumes.at, now, tz)} — ${v.resumes.how}`
        : `  resumes: ${v.resumes.how}`,
    );
  return lines;
}

/**
 * `afk status` as a person reads it: the verdict first, then one fact per line, each once (the
 * verdict's reasons are not repeated below it). The same facts as the JSON.
 */
export function formatStatus(s: StatusSnapshot): string[] {
  const now = new Date(s.generated_at);
  const tz = s.spec.timezone;
  const ago = (iso: string) => relativeWithExact(iso, now, tz);
  const t = s.today;
  const lines = [
    ...formatVerdict(s, now),
    `today ${t.day} (${tz}): ${t.ticks} tick${t.ticks === 1 ? "" : "s"}${counts(t.by_status)} · spend ${formatUsd(t.spend_micros)} of ${formatUsd(s.cap.cap_micros)} cap · value ${formatUsd(t.value_micros)}`,
  ];
  const l = s.last_tick;
  if (!l) lines.push("last tick: none yet");
  else {
    lines.push(
      `last tick ${l.id}: ${l.status} · ${formatDuration(l.duration_ms)} · model ${l.model ?? "none"} · ${l.trigger} ${ago(l.started_at)}`,
    );
    // a reason the verdict already gives (fallbacks, sources, the flag, the cap) is not said twice
    if (l.reason && s.verdict.reasons.length === 0) lines.push(`  reason: ${l.reason}`);
    if (l.out_path) lines.push(`  digest: ${l.out_path}`);
    // a row no run wrote (a refusal, a hand insert, spend carried into a restored backup) has none to open
    lines.push(
      l.trace_path
        ? `  trace: ${l.trace_path} (afk trace ${l.id}; raw errors are there)`
        : "  trace: none (no run wrote this row)",
    );
  }
  const verdict = s.verdict.verdict;
  // the flag, the cap and a stopped serve are said by the verdict when they decide it
  if (verdict !== "stopped") lines.push(`kill flag: absent (${s.kill.flag})`);
  if (verdict !== "halted")
    lines.push(
      `cap: ${formatUsd(s.cap.remaining_micros)} left of ${formatUsd(s.cap.cap_micros)} today (${s.cap.source})`,
    );
  const o = s.cap.overrun;
  if (o)
    lines.push(
      `${o.crossed_by_provider ? "cap: CROSSED BY THE PROVIDER" : "provider overrun"} — ${o.links.join(", ")} billed ${formatUsd(o.over_micros)} beyond the request's maximum (${o.calls} call${o.calls === 1 ? "" : "s"}); off until tomorrow`,
    );
  const held = nextRunHeld(s);
  lines.push(
    held
      ? `next run: ${held} (${s.spec.cadence})`
      : `next run: ${s.next_run.at ? ago(s.next_run.at) : "none scheduled"} (${s.next_run.from}: ${s.spec.cadence})`,
  );
  if (!s.alert.active)
    lines.push(`alert: none (raised after ${s.alert.threshold} ticks in a row without value)`);
  lines.push(
    s.clock
      ? `unattended: ${s.clock.unattended_days} day${s.clock.unattended_days === 1 ? "" : "s"} in a row without a manual tick (clock started ${ago(s.clock.started_at)})`
      : "unattended: not counted yet — afk clock start begins counting days that ran with no manual tick",
  );
  lines.push(...formatSinks(s.deliver.sinks));
  if (verdict !== "not running")
    lines.push(
      `serve: ${s.serve.running ? `running${s.serve.pid !== null ? ` (pid ${s.serve.pid})` : ""}` : "not running"}${s.runner && !s.runner.last_due_slot.ok ? ` · last due slot NOT handled: ${s.runner.last_due_slot.reason}` : ""}${cronPart(s, ago)}`,
    );
  lines.push(`afk ${s.version} · spec ${s.spec.name} ${s.spec.hash} (${s.spec.origin})`);
  return lines;
}

/** A home's cron line beside serve's state: a cron home runs with no serve (status/cron-line.ts). */
function cronPart(s: StatusSnapshot, ago: (iso: string) => string): string {
  const c = s.cron;
  if (!c || s.serve.running) return "";
  const last = c.recorded_at ? `last ran ${ago(c.recorded_at)}` : "its record has no time";
  return c.ticking
    ? ` · cron line ticking (afk tick --cron ${last}): no serve needed`
    : ` · cron line NOT ticking (afk tick --cron ${last}; no tick since the slot due ${ago(c.expected_slot)})`;
}
