import type { Database } from "bun:sqlite";
import type { Span } from "../trace/tracer.ts";
import { failingSinks, markAlerted, type OutboxRow, unalertedFailures } from "./outbox.ts";

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

/** What the operator does about a sink, from how its newest row failed. */
function fixFor(row: OutboxRow): string {
  return row.last_outcome === "permanent"
    ? `the sink refused the digest: check the spec's deliver: entry '${row.sink_id}' (its address, and the token or URL in the variables it names), then: afk deliver --retry-failed`
    : `the sink failed on all ${row.attempts} attempts: check that it is up and reachable from this host, then: afk deliver --retry-failed`;
}

/**
 * Delivery's part of out/ALERT.txt: every sink whose newest digest failed for good (the same rule
 * that sends the alert notice), what failed and the fix; null when every sink delivers. Sinks are
 * named by id, never by URL; `redact` strips the sinks' and the host's secrets from the errors.
 */
export function deliveryAlertFileText(
  db: Database,
  specName: string,
  redact: (text: string) => string,
): string | null {
  const failing = failingSinks(db);
  if (failing.length === 0) return null;
  const lines = [
    `afk ALERT: ${specName} could not deliver to ${failing.map((f) => `'${f.sinkId}'`).join(", ")}`,
    "",
  ];
  for (const { sinkId, rows } of failing) {
    const newest = rows[0];
    if (!newest) continue;
    lines.push(
      `sink '${sinkId}' (${newest.kind}): ${rows.length === 10 ? "10 or more" : rows.length} digest(s) not delivered`,
    );
    for (const r of rows)
      lines.push(
        `- slot ${r.slot}: ${r.last_outcome === "permanent" ? "refused" : `failed ${r.attempts} times`}: ${r.last_error ?? "(no error recorded)"}`,
      );
    lines.push(`  fix: ${fixFor(newest)}`, "");
  }
  lines.push(
    "The digests are in out/ and in /digests.atom. This part is removed automatically when the sink delivers again.",
  );
  return redact(`${lines.join("\n")}\n`);
}
