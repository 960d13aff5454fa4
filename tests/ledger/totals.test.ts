import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { ClosedStatus } from "../../src/core/status.ts";
import { closeTickRow, type OpenTick, openTickRow, recordEndedTick } from "../../src/harness/tick-row.ts";
import { openDatabase } from "../../src/ledger/db.ts";
import { migrate } from "../../src/ledger/migrate.ts";
import { allMigrations } from "../../src/ledger/migrations.ts";
import {
  type CallTotal,
  callTotals,
  fallbackTotals,
  sourceFailureTotals,
  tickSecondsBuckets,
  tickTotals,
} from "../../src/ledger/totals.ts";
import { reserve, settle } from "../../src/models/budget.ts";
import { recordFreeCall } from "../../src/models/calls.ts";
import { tempHome } from "../support/home.ts";

const home = tempHome("afk-totals-");
afterAll(home.cleanup);
let n = 0;
const fresh = () => join(home.dir, `ledger-${++n}.sqlite`);

const DAY = "2026-11-24";
const open = (id: string, startedAt = `${DAY}T07:00:00.000Z`): OpenTick => ({
  id,
  slot: `${DAY}T07:00:00.000Z`,
  trigger: "schedule",
  day: DAY,
  startedAt,
  pid: 1,
  version: "t",
  specHash: "h",
  specOrigin: "file:test",
  tracePath: "runs/x/trace.jsonl",
});

/** What the triggers must equal: the same totals added up from every row. */
function recomputed(db: Database) {
  return {
    ticks: db
      .query<{ status: ClosedStatus; ticks: number; value_micros: number }, []>(
        "SELECT status, count(*) AS ticks, sum(value_micros) AS value_micros FROM ticks WHERE status <> 'running' GROUP BY status ORDER BY status",
      )
      .all(),
    calls: db
      .query<CallTotal, []>(
        `SELECT link_id, kind, count(*) AS calls,
                sum(CASE WHEN state IN ('settled','charged_full') THEN cost_micros ELSE 0 END) AS spent_micros,
                sum(CASE WHEN state = 'reserved' THEN reserved_micros ELSE 0 END) AS reserved_micros,
                sum(shadow_micros) AS shadow_micros, sum(coalesce(tokens_in, 0)) AS tokens_in,
                sum(coalesce(tokens_out, 0)) AS tokens_out
           FROM calls GROUP BY link_id, kind ORDER BY link_id, kind`,
      )
      .all(),
  };
}

function kept(db: Database) {
  return {
    ticks: tickTotals(db)
      .filter((t) => t.ticks !== 0)
      .map(({ status, ticks, value_micros }) => ({ status, ticks, value_micros }))
      .sort((a, b) => a.status.localeCompare(b.status)),
    calls: callTotals(db).filter((c) => c.calls !== 0),
  };
}

const detail = JSON.stringify({
  fallbacks: [{ from: "primary", to: "paid", reason: "timeout" }],
  failed_sources: [{ id: "hn", code: "http_status", error: "503" }],
});

describe("all-time totals kept by triggers (core-005, status-003)", () => {
  test("equal what the rows add up to through opens, closes, reserve → settle, a hand insert, a rewrite and a delete", () => {
    const db = openDatabase(fresh());
    try {
      openTickRow(db, open("a"));
      expect(kept(db)).toEqual({ ticks: [], calls: [] }); // a running tick counts nowhere yet
      const r = reserve(db, {
        tickId: "a",
        day: DAY,
        linkId: "paid",
        model: "m",
        attempt: 1,
        reservedMicros: 900,
        capMicros: 5_000_000,
        startedAt: `${DAY}T07:00:01.000Z`,
      });
      if (!r.ok) throw new Error("reservation refused");
      expect(callTotals(db)).toMatchObject([
        { link_id: "paid", calls: 1, spent_micros: 0, reserved_micros: 900 },
      ]);
      settle(db, r.callId, {
        state: "settled",
        costMicros: 450,
        tokensIn: 2000,
        tokensOut: 600,
        outcome: "ok",
        endedAt: `${DAY}T07:00:02.000Z`,
      });
      expect(callTotals(db)).toMatchObject([
        { link_id: "paid", spent_micros: 450, reserved_micros: 0, tokens_out: 600 },
      ]);
      recordFreeCall(db, {
        tickId: "a",
        day: DAY,
        linkId: "primary",
        kind: "ollama",
        model: "llama",
        attempt: 1,
        tokensIn: 100,
        tokensOut: null,
        shadowMicros: 30,
        outcome: "ok",
        startedAt: `${DAY}T07:00:00.500Z`,
        endedAt: `${DAY}T07:00:00.900Z`,
      });
      closeTickRow(db, "a", {
        status: "ok",
        endedAt: `${DAY}T07:00:03.250Z`,
        valueMicros: 2_500_000,
        detail: JSON.parse(detail),
      });
      recordEndedTick(db, open("b"), { status: "skipped_done", endedAt: `${DAY}T07:00:00.000Z` });
      db.run("INSERT INTO ledger (ts, usd_in, value_usd) VALUES ('2026-11-20T07:00:00Z', 0.25, 2.5)");
      expect(kept(db)).toEqual(recomputed(db));

      db.run("UPDATE ticks SET status = 'degraded', value_micros = 1000000 WHERE id = 'a'");
      db.run("DELETE FROM calls WHERE link_id = 'manual'");
      expect(kept(db)).toEqual(recomputed(db));
      expect(tickTotals(db).find((t) => t.status === "degraded")?.last_ended_at).toBe(`${DAY}T07:00:03.250Z`);

      expect(fallbackTotals(db)).toEqual([{ from_link: "primary", to_link: "paid", n: 1 }]);
      expect(sourceFailureTotals(db)).toEqual({ hn: 1 });
      const buckets = tickSecondsBuckets(db);
      expect(buckets.at(-1)?.le).toBe(Number.POSITIVE_INFINITY);
      // tick a ran 3.25 s (bucket ≤ 5), b and the hand insert 0 s (the first bucket)
      expect(buckets.filter((b) => b.ticks > 0)).toEqual([
        { le: 0.05, ticks: 2, seconds: 0 },
        { le: 5, ticks: 1, seconds: 3.25 },
      ]);
    } finally {
      db.close();
    }
  });

  test("a ledger written before them is seeded from its rows when it is next opened", () => {
    const path = fresh();
    const before = new Database(path, { create: true, strict: true });
    migrate(
      before,
      allMigrations.filter((m) => !["core-005", "status-003"].includes(m.id)),
    );
    openTickRow(before, open("old-1"));
    closeTickRow(before, "old-1", {
      status: "degraded",
      endedAt: `${DAY}T07:00:12.000Z`,
      valueMicros: 2_500_000,
      detail: JSON.parse(detail),
    });
    openTickRow(before, open("old-2", `${DAY}T08:00:00.000Z`));
    closeTickRow(before, "old-2", { status: "crashed", endedAt: `${DAY}T09:00:00.000Z` });
    openTickRow(before, open("old-3", `${DAY}T10:00:00.000Z`));
    reserve(before, {
      tickId: "old-3",
      day: DAY,
      linkId: "paid",
      model: "m",
      attempt: 1,
      reservedMicros: 700,
      capMicros: 5_000_000,
      startedAt: `${DAY}T10:00:01.000Z`,
    });
    before.close();

    const db = openDatabase(path);
    try {
      expect(kept(db)).toEqual(recomputed(db));
      expect(callTotals(db)).toMatchObject([{ link_id: "paid", reserved_micros: 700, spent_micros: 0 }]);
      expect(fallbackTotals(db)).toEqual([{ from_link: "primary", to_link: "paid", n: 1 }]);
      expect(sourceFailureTotals(db)).toEqual({ hn: 1 });
      // the crashed tick's hour is not a duration: only old-1's 12 s is in the histogram
      expect(tickSecondsBuckets(db).filter((b) => b.ticks > 0)).toEqual([{ le: 30, ticks: 1, seconds: 12 }]);
    } finally {
      db.close();
    }
  });
});
