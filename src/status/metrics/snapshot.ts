import { microsToUsd } from "../../core/money.ts";
import type { StatusSnapshot } from "../snapshot-view.ts";
import { gauge, type MetricFamily } from "./expose.ts";

/** A group of families read from the status snapshot (itself cached until its inputs change). */
export type SnapshotFamilies = (snap: StatusSnapshot) => MetricFamily[];

export const snapshotFamilies: SnapshotFamilies = (snap) => [
  gauge("afk_info", "Version and spec hash of this afk (always 1).", [
    { labels: { version: snap.version, spec: snap.spec.name, spec_hash: snap.spec.hash }, value: 1 },
  ]),
  gauge(
    "afk_spend_today_usd",
    "Dollars spent today (the cap's day, spec time zone), reservations included.",
    [{ value: snap.today.spend_usd }],
  ),
  gauge("afk_value_today_usd", "Value delivered today in dollars.", [{ value: snap.today.value_usd }]),
  gauge("afk_cap_usd", "Daily spend cap in dollars.", [{ value: snap.cap.cap_usd }]),
  gauge("afk_cap_reached", "1 when today's spend has reached the cap.", [
    { value: snap.cap.reached ? 1 : 0 },
  ]),
  gauge(
    "afk_overrun_today_usd",
    "Dollars providers billed today beyond the requests' maximum (their reservations).",
    [{ value: microsToUsd(snap.cap.overrun?.over_micros ?? 0) }],
  ),
  gauge(
    "afk_cap_crossed_by_provider",
    "1 when today's spend passed the cap by a provider billing beyond a request's maximum.",
    [{ value: snap.cap.overrun?.crossed_by_provider ? 1 : 0 }],
  ),
  gauge("afk_kill_flag", "1 while the kill flag exists.", [{ value: snap.kill.present ? 1 : 0 }]),
  gauge("afk_halted", "1 while ticks are held at the spend cap (ends when the cap's day rolls over).", [
    { value: snap.hold.halted ? 1 : 0 },
  ]),
  gauge("afk_stopped", "1 while ticks are held by the kill flag (afk arm resumes).", [
    { value: snap.hold.stopped ? 1 : 0 },
  ]),
  gauge(
    "afk_resumes_at_timestamp_seconds",
    "Unix time a cap halt ends by itself (the first slot of the next day); 0 when not halted.",
    [{ value: snap.hold.resumes_at ? Math.floor(new Date(snap.hold.resumes_at).getTime() / 1000) : 0 }],
  ),
  gauge("afk_alert_active", "1 while the watchdog alert is raised.", [{ value: snap.alert.active ? 1 : 0 }]),
  gauge("afk_runner_up", "1 while the runner's scheduler loop is alive.", [
    { value: snap.runner?.alive ? 1 : 0 },
  ]),
];
