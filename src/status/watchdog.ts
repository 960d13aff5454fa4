import type { Database } from "bun:sqlite";
import { DELIVERED_SQL, isDelivered } from "../core/status.ts";
import type { TickRow } from "../ledger/ticks.ts";
import type { LoadedSpec } from "../spec/load.ts";
import { type OpenAlert, openAlert } from "./alert.ts";
import { ALERT_FILE, setAlertPart } from "./alert-file.ts";
import { tickDetail } from "./queries.ts";

export { ALERT_FILE, type OpenAlert, openAlert };

/**
 * Statuses that say nothing about whether the job works (a no-op, not an attempt). A quiet tick
 * (healthy sources, too few new items) is neither a failure nor value: it is left out of the
 * no-value streak, and only the longer watchdog.quiet_days looks at it.
 */
const NEUTRAL = "('running','skipped_done','skipped_overlap','quiet')";

export function hasValue(t: Pick<TickRow, "status" | "value_micros">): boolean {
  return t.value_micros > 0 || isDelivered(t.status);
}

/** The current run of ticks without value (newest first), and the last tick that had value. */
export function emptyStreak(db: Database): { empty: TickRow[]; lastValue: TickRow | null } {
  const lastValue = db
    .query<TickRow, []>(
      `SELECT * FROM ticks WHERE status NOT IN ${NEUTRAL} AND (value_micros > 0 OR status IN ${DELIVERED_SQL})
       ORDER BY started_at DESC, rowid DESC LIMIT 1`,
    )
    .get();
  const empty = db
    .query<TickRow, [string]>(
      `SELECT * FROM ticks WHERE status NOT IN ${NEUTRAL} AND started_at > ?
       ORDER BY started_at DESC, rowid DESC LIMIT 50`,
    )
    .all(lastValue?.started_at ?? "");
  return { empty: empty.filter((t) => !hasValue(t)), lastValue };
}

export type WatchdogAction =
  | { kind: "none" }
  | { kind: "raise"; alert: OpenAlert; text: string }
  | { kind: "update"; alert: OpenAlert; text: string }
  | { kind: "resolve"; alert: OpenAlert; by: TickRow };

/** The alert's words: what, since when, the last errors and where their traces are. */
export function alertText(
  loaded: LoadedSpec,
  threshold: number,
  empty: readonly TickRow[],
  lastValue: TickRow | null,
  raisedAt: string,
): string {
  const oldest = empty[empty.length - 1];
  const lines = [
    `afk ALERT: ${loaded.spec.name} has produced no value for ${empty.length} ticks in a row (watchdog.no_value_ticks = ${threshold})`,
    "",
    `since:      ${oldest?.started_at ?? "?"} (first tick without value: ${oldest?.id ?? "?"})`,
    `raised:     ${raisedAt}`,
    `last value: ${lastValue ? `${lastValue.started_at} (tick ${lastValue.id}, ${lastValue.out_path ?? "no file"})` : "never"}`,
    `spec:       ${loaded.spec.name} ${loaded.hash}`,
    "",
    "last ticks without value (newest first):",
  ];
  for (const t of empty.slice(0, 10)) {
    lines.push(`- ${t.started_at} ${t.id} ${t.status} (${t.trigger}): ${t.reason ?? "(no reason recorded)"}`);
    for (const f of tickDetail(t).failed_sources)
      lines.push(`    source ${f.id} failed: ${f.code}: ${f.error}`);
    lines.push(`    trace: ${t.trace_path ?? "(none)"}  (afk trace ${t.id})`);
  }
  lines.push(
    "",
    "See also: afk incidents, afk status. This file is removed automatically when value lands again.",
  );
  return `${lines.join("\n")}\n`;
}

/** Quiet ticks since the last value (newest first, at most 50), and when that quiet began. */
export function quietStreak(
  db: Database,
  lastValue: TickRow | null,
): { quiet: TickRow[]; since: string | null } {
  const after = lastValue?.started_at ?? "";
  const quiet = db
    .query<TickRow, [string]>(
      "SELECT * FROM ticks WHERE status = 'quiet' AND started_at > ? ORDER BY started_at DESC, rowid DESC LIMIT 50",
    )
    .all(after);
  const first = db
    .query<{ at: string | null }, [string]>(
      "SELECT min(started_at) AS at FROM ticks WHERE status = 'quiet' AND started_at > ?",
    )
    .get(after)?.at;
  return { quiet, since: first ?? null };
}

/** The quiet alert's words: how long nothing was delivered though every source answered. */
export function quietAlertText(
  loaded: LoadedSpec,
  quiet: readonly TickRow[],
  since: string,
  lastValue: TickRow | null,
  raisedAt: string,
): string {
  const days = loaded.spec.watchdog.quiet_days;
  const lines = [
    `afk ALERT: ${loaded.spec.name} has been quiet for ${days} days or more (watchdog.quiet_days = ${days}): every source answered, but no tick found min_items (${loaded.spec.value.min_items}) new items`,
    "",
    `since:      ${since} (first quiet tick)`,
    `raised:     ${raisedAt}`,
    `last value: ${lastValue ? `${lastValue.started_at} (tick ${lastValue.id}, ${lastValue.out_path ?? "no file"})` : "never"}`,
    `spec:       ${loaded.spec.name} ${loaded.hash}`,
    "",
    "last quiet ticks (newest first):",
    ...quiet.slice(0, 10).map((t) => `- ${t.started_at} ${t.id} (${t.trigger}): ${t.reason ?? "quiet"}`),
    "",
    "Quiet feeds, or sources that no longer carry what the spec asks for: check sources and min_items.",
    "This file is removed automatically when value lands again.",
  ];
  return `${lines.join("\n")}\n`;
}

/** Decides what the watchdog does after a tick; writes nothing. */
export function evaluateWatchdog(db: Database, loaded: LoadedSpec, now: Date): WatchdogAction {
  const threshold = loaded.spec.watchdog.no_value_ticks;
  const current = openAlert(db);
  const { empty, lastValue } = emptyStreak(db);
  if (empty.length >= threshold) {
    const newest = empty[0] as TickRow;
    const oldest = empty[empty.length - 1] as TickRow;
    const raisedAt = current?.raised_at ?? now.toISOString();
    const alert: OpenAlert = {
      id: current?.id ?? 0,
      raised_at: raisedAt,
      since_at: oldest.started_at,
      empty_ticks: empty.length,
      last_tick_id: newest.id,
    };
    const text = alertText(loaded, threshold, empty, lastValue, raisedAt);
    return current ? { kind: "update", alert, text } : { kind: "raise", alert, text };
  }
  // only value that landed after the alert's streak began clears it (quiet ticks do not)
  if (current && empty.length === 0 && lastValue && lastValue.started_at > current.since_at)
    return { kind: "resolve", alert: current, by: lastValue };
  const quietDays = loaded.spec.watchdog.quiet_days;
  if (quietDays > 0 && empty.length === 0) {
    const { quiet, since } = quietStreak(db, lastValue);
    const newest = quiet[0];
    if (newest && since && now.getTime() - Date.parse(since) >= quietDays * 86_400_000) {
      const raisedAt = current?.raised_at ?? now.toISOString();
      const alert: OpenAlert = {
        id: current?.id ?? 0,
        raised_at: raisedAt,
        since_at: since,
        empty_ticks: 0, // quiet ticks are not ticks without value in the no-value sense
        last_tick_id: newest.id,
      };
      const text = quietAlertText(loaded, quiet, since, lastValue, raisedAt);
      return current ? { kind: "update", alert, text } : { kind: "raise", alert, text };
    }
  }
  return { kind: "none" };
}

/** The watchdog's part of out/ALERT.txt, written atomically: never half a file. */
export function writeAlertFile(home: string, text: string): string {
  setAlertPart(home, "watchdog", text);
  return ALERT_FILE;
}

/** Clears the watchdog's part; the file goes when no other alert (a failing sink) holds it. */
export function removeAlertFile(home: string): boolean {
  return setAlertPart(home, "watchdog", null);
}

/** Records the decision in status_alerts and on disk. Notices are sent by the caller. */
export function applyWatchdog(db: Database, home: string, action: WatchdogAction, now: Date): void {
  switch (action.kind) {
    case "none":
      return;
    case "raise":
    case "update": {
      writeAlertFile(home, action.text);
      const a = action.alert;
      if (action.kind === "raise") {
        db.query(
          "INSERT INTO status_alerts (raised_at, since_at, empty_ticks, last_tick_id) VALUES (?, ?, ?, ?)",
        ).run(a.raised_at, a.since_at, a.empty_ticks, a.last_tick_id);
      } else {
        db.query("UPDATE status_alerts SET since_at = ?, empty_ticks = ?, last_tick_id = ? WHERE id = ?").run(
          a.since_at,
          a.empty_ticks,
          a.last_tick_id,
          a.id,
        );
      }
      return;
    }
    case "resolve":
      removeAlertFile(home);
      db.query("UPDATE status_alerts SET resolved_at = ?, resolved_by = ? WHERE id = ?").run(
        now.toISOString(),
        action.by.id,
        action.alert.id,
      );
      return;
    default:
      action satisfies never;
  }
}
