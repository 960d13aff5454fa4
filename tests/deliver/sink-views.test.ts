import type { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { DELIVERY_STATUSES } from "../../src/core/delivery.ts";
import { LAST_ERROR_SQL, LAST_SENT_SLOT_SQL, SINK_COUNTS_SQL, sinkViews } from "../../src/deliver/views.ts";
import { openDatabase } from "../../src/ledger/db.ts";
import type { SinkSpec } from "../../src/spec/schema.ts";
import { tempHome } from "../support/home.ts";
import { rng } from "../support/rng.ts";

const home = tempHome("afk-sink-views-");
afterAll(home.cleanup);

/** The sink views as they were computed before deliver-002: one aggregate over the table (the oracle). */
function viewsByAggregate(db: Database, sinks: readonly SinkSpec[]) {
  const agg = db
    .query<
      {
        sink_id: string;
        kind: string;
        pending: number;
        failed: number;
        sent: number;
        last_sent_at: string | null;
      },
      []
    >(
      `SELECT sink_id, max(kind) AS kind, sum(status IN ('pending','sending')) AS pending,
              sum(status = 'failed') AS failed, sum(status = 'sent') AS sent, max(sent_at) AS last_sent_at
         FROM deliver_outbox GROUP BY sink_id`,
    )
    .all();
  const byId = new Map(agg.map((a) => [a.sink_id, a]));
  const ids = [...new Set([...sinks.map((s) => s.id), ...agg.map((a) => a.sink_id)])];
  return ids.map((id) => {
    const a = byId.get(id);
    const slot = db
      .query<{ slot: string }, [string]>(
        "SELECT slot FROM deliver_outbox WHERE sink_id = ? AND status = 'sent' ORDER BY sent_at DESC LIMIT 1",
      )
      .get(id);
    const error = db
      .query<{ last_error: string | null }, [string]>(
        "SELECT last_error FROM deliver_outbox WHERE sink_id = ? AND last_error IS NOT NULL ORDER BY last_attempt_at DESC LIMIT 1",
      )
      .get(id);
    return {
      id,
      kind: sinks.find((s) => s.id === id)?.kind ?? a?.kind ?? "unknown",
      pending: a?.pending ?? 0,
      failed: a?.failed ?? 0,
      sent: a?.sent ?? 0,
      last_sent_at: a?.last_sent_at ?? null,
      last_sent_slot: a?.last_sent_at ? (slot?.slot ?? null) : null,
      last_error: a && (a.pending > 0 || a.failed > 0) ? (error?.last_error ?? null) : null,
    };
  });
}

/** Outbox rows for sinks a, b (in the spec) and gone (removed from it), in every status. */
function fill(db: Database, rows: number, seed: number): void {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;
  const insert = db.query(
    `INSERT INTO deliver_outbox (slot, sink_id, kind, tick_id, out_path, delivery_id, status, attempts,
       max_attempts, created_at, next_attempt_at, last_attempt_at, last_error, sent_at)
     VALUES (?, ?, ?, 't', 'out/d.md', ?, ?, 1, 5, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < rows; i++) {
      const slot = new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString();
      const sink = pick(["a", "b", "gone"]);
      const status = pick(DELIVERY_STATUSES);
      const at = new Date(Date.UTC(2026, 0, 1) + Math.floor(r() * rows) * 3_600_000).toISOString();
      insert.run(
        slot,
        sink,
        sink === "gone" ? pick(["ntfy", "webhook"]) : "webhook",
        `${slot}-${sink}`,
        status,
        slot,
        slot,
        r() < 0.8 ? at : null,
        r() < 0.3 ? `HTTP ${pick([500, 502, 503])} at ${at}` : null,
        status === "sent" ? at : null,
      );
    }
  })();
}

const SINKS = [
  { id: "a", kind: "webhook" },
  { id: "b", kind: "webhook" },
  { id: "never-sent", kind: "email" },
] as unknown as SinkSpec[];

describe("each sink at a glance, read off the outbox's indexes", () => {
  test.each([0, 1, 40, 3_000])("%i outbox rows: the same views as one aggregate over the table", (rows) => {
    const db = openDatabase(join(home.dir, `views-${rows}.sqlite`));
    try {
      fill(db, rows, rows + 1);
      expect(sinkViews(db, SINKS)).toEqual(viewsByAggregate(db, SINKS));
    } finally {
      db.close();
    }
  });

  test("counts, the last slot sent and the last error come from indexes, with no sort", () => {
    const db = openDatabase(join(home.dir, "plans.sqlite"));
    try {
      fill(db, 200, 9);
      const plan = (sql: string) =>
        db
          .query<{ detail: string }, string[]>(`EXPLAIN QUERY PLAN ${sql}`)
          .all(...(sql.includes("?") ? ["a"] : []))
          .map((r) => r.detail)
          .join("; ");
      expect(plan(SINK_COUNTS_SQL)).toContain("COVERING INDEX deliver_outbox_sink_sent");
      expect(plan(LAST_SENT_SLOT_SQL)).toContain("deliver_outbox_sink_sent");
      expect(plan(LAST_ERROR_SQL)).toContain("deliver_outbox_sink_error");
      for (const sql of [SINK_COUNTS_SQL, LAST_SENT_SLOT_SQL, LAST_ERROR_SQL])
        expect(plan(sql)).not.toContain("TEMP B-TREE");
    } finally {
      db.close();
    }
  });
});
