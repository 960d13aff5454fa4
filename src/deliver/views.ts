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
  sink_id: string;
  kind: string;
  pending: number;
  failed: number;
  sent: number;
  last_sent_at: string | null;
}

/**
 * Every sink in the spec (and any the outbox still holds rows for), with counts by status and
 * its last delivery. Error texts were redacted before they were stored.
 */
export function sinkViews(db: Database, sinks: readonly SinkSpec[]): SinkView[] {
  const agg = db
    .query<Agg, []>(
      `SELECT sink_id, max(kind) AS kind,
              sum(status IN ('pending','sending')) AS pending,
              sum(status = 'failed') AS failed,
              sum(status = 'sent') AS sent,
              max(sent_at) AS last_sent_at
         FROM deliver_outbox GROUP BY sink_id`,
    )
    .all();
  const lastSlot = db.query<{ slot: string }, [string]>(
    "SELECT slot FROM deliver_outbox WHERE sink_id = ? AND status = 'sent' ORDER BY sent_at DESC LIMIT 1",
  );
  const lastError = db.query<{ last_error: string | null }, [string]>(
    "SELECT last_error FROM deliver_outbox WHERE sink_id = ? AND last_error IS NOT NULL ORDER BY last_attempt_at DESC LIMIT 1",
  );
  const byId = new Map(agg.map((a) => [a.sink_id, a]));
  const ids = [...new Set([...sinks.map((s) => s.id), ...agg.map((a) => a.sink_id)])];
  return ids.map((id) => {
    const a = byId.get(id);
    const kind = sinks.find((s) => s.id === id)?.kind ?? a?.kind ?? "unknown";
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
