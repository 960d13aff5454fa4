import type { Database } from "bun:sqlite";
import type { SinkSpec } from "../spec/schema.ts";

/** One sink at a glance: `afk status`, /status.json, the page and /metrics all show this. */
export interface SinkView {
  id: string;
  kind: SinkSpec["kind"] | string;
  /** Rows waiting (pending, or being sent right now). */
  pending: number;
  failed: number;
  sent: number;
  last_sent_at: string | null;
  last_sent_slot: string | null;
  last_error: string | null;
}

interface Agg {
  pending: number;
  failed: number;
  sent: number;
  last_sent_at: string | null;
}

/**
 * Rows per sink and status, with the newest send: read off the (sink_id, status, sent_at) index
 * (deliver-002) without touching the table. The outbox is never pruned — a year of hourly digests
 * to three sinks is 26,000 rows — and this runs for every `afk status` and every page rebuild:
 * aggregated over the table with a sort per sink for the last slot it took 37 ms there.
 */
export const SINK_COUNTS_SQL =
  "SELECT sink_id, status, count(*) AS n, max(sent_at) AS last FROM deliver_outbox GROUP BY sink_id, status";
export const LAST_SENT_SLOT_SQL =
  "SELECT slot FROM deliver_outbox WHERE sink_id = ? AND status = 'sent' ORDER BY sent_at DESC LIMIT 1";
export const LAST_ERROR_SQL =
  "SELECT last_error FROM deliver_outbox WHERE sink_id = ? AND last_error IS NOT NULL ORDER BY last_attempt_at DESC LIMIT 1";

function countsBySink(db: Database): Map<string, Agg> {
  const rows = db
    .query<{ sink_id: string; status: string; n: number; last: string | null }, []>(SINK_COUNTS_SQL)
    .all();
  const out = new Map<string, Agg>();
  for (const r of rows) {
    const a = out.get(r.sink_id) ?? { pending: 0, failed: 0, sent: 0, last_sent_at: null };
    if (r.status === "pending" || r.status === "sending") a.pending += r.n;
    else if (r.status === "failed") a.failed += r.n;
    else if (r.status === "sent") a.sent += r.n;
    if (r.last !== null && (a.last_sent_at === null || r.last > a.last_sent_at)) a.last_sent_at = r.last;
    out.set(r.sink_id, a);
  }
  return out;
}

/**
 * Every sink in the spec (and any the outbox still holds rows for), with counts by status and
 * its last delivery. Error texts were redacted before they were stored.
 */
export function sinkViews(db: Database, sinks: readonly SinkSpec[]): SinkView[] {
  const byId = countsBySink(db);
  const lastSlot = db.query<{ slot: string }, [string]>(LAST_SENT_SLOT_SQL);
  const lastError = db.query<{ last_error: string | null }, [string]>(LAST_ERROR_SQL);
  // a sink no longer in the spec is named by the kind its rows were sent as
  const pastKind = db.query<{ kind: string | null }, [string]>(
    "SELECT max(kind) AS kind FROM deliver_outbox WHERE sink_id = ?",
  );
  const ids = [...new Set([...sinks.map((s) => s.id), ...byId.keys()])];
  return ids.map((id) => {
    const a = byId.get(id);
    const kind = sinks.find((s) => s.id === id)?.kind ?? (a ? pastKind.get(id)?.kind : null) ?? "unknown";
    return {
      id,
      kind,
      pending: a?.pending ?? 0,
      failed: a?.failed ?? 0,
      sent: a?.sent ?? 0,
      last_sent_at: a?.last_sent_at ?? null,
      last_sent_slot: a?.last_sent_at ? (lastSlot.get(id)?.slot ?? null) : null,
      last_error: a && (a.pending > 0 || a.failed > 0) ? (lastError.get(id)?.last_error ?? null) : null,
    };
  });
}
