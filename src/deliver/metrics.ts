import { gauge, type MetricFamily } from "../status/metrics/expose.ts";
import type { StatusSnapshot } from "../status/snapshot-view.ts";

/** The sinks' families for /metrics: outbox rows by sink and status, and each sink's last delivery. */
export function deliverFamilies(snap: StatusSnapshot): MetricFamily[] {
  const sinks = snap.deliver.sinks;
  return [
    gauge(
      "afk_deliveries",
      "Outbox rows (one per slot and sink) by sink and status: pending (sending included), failed, sent.",
      sinks.flatMap((v) =>
        (["pending", "failed", "sent"] as const).map((status) => ({
          labels: { sink: v.id, kind: v.kind, status },
          value: v[status],
        })),
      ),
    ),
    gauge(
      "afk_delivery_last_success_timestamp_seconds",
      "Unix time a sink last accepted a digest; 0 when it never has.",
      sinks.map((v) => ({
        labels: { sink: v.id },
        value: v.last_sent_at ? Math.floor(new Date(v.last_sent_at).getTime() / 1000) : 0,
      })),
    ),
  ];
}
