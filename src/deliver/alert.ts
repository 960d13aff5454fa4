import type { Database } from "bun:sqlite";
import type { Span } from "../trace/tracer.ts";
import { markAlerted, type OutboxRow, unalertedFailures } from "./outbox.ts";

export interface DeliveryAlert {
  title: string;
  body: string;
  /** One line per failed row, for the log. */
  lines: string[];
  rows: OutboxRow[];
}

/**
 * The watchdog's word on deliveries: every row that failed for good (a permanent refusal, or
 * max_attempts transient failures) and was not named yet, grouped by sink. Marks them named.
 */
export function deliveryAlert(db: Database, specName: string, now: Date, span?: Span): DeliveryAlert | null {
  const rows = unalertedFailures(db);
  if (rows.length === 0) return null;
  const sinks = [...new Set(rows.map((r) => r.sink_id))];
  const lines = rows.map(
    (r) =>
      `- sink '${r.sink_id}' (${r.kind}) slot ${r.slot}: ${r.last_outcome === "permanent" ? "refused" : `failed ${r.attempts} times`}: ${r.last_error ?? "(no error recorded)"}`,
  );
  const body = [
    `afk ALERT: ${specName} could not deliver to ${sinks.map((s) => `'${s}'`).join(", ")}`,
    "",
    ...lines,
    "",
    "The digests are in out/ and in /digests.atom. After fixing the sink: afk deliver --retry-failed",
    "",
  ].join("\n");
  markAlerted(db, rows, now);
  for (const s of sinks)
    span?.event("watchdog.deliver_failed", { sink: s, rows: rows.filter((r) => r.sink_id === s).length });
  return {
    title: `afk: ${specName} delivery to ${sinks.join(", ")} failed`,
    body,
    lines: [body.split("\n")[0] ?? "", ...lines],
    rows,
  };
}
