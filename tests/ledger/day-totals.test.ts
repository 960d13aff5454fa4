import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { TICK_STATUSES, type TickStatus } from "../../src/core/status.ts";
import { closeTickRow, type OpenTick, openTickRow, recordEndedTick } from "../../src/harness/tick-row.ts";
import { dayTotalsDrift } from "../../src/ledger/day-totals-drift.ts";
import { openDatabase } from "../../src/ledger/db.ts";
import { migrate } from "../../src/ledger/migrate.ts";
import { allMigrations } from "../../src/ledger/migrations.ts";
import { openLedgerReadOnly } from "../../src/ledger/read-only.ts";
import { reserve, settle } from "../../src/models/budget.ts";
import { chargeOpenReservations, recordFreeCall } from "../../src/models/calls.ts";
import { seededRandom } from "../../src/soak/plan.ts";
import { type DayTotals, dayTotals } from "../../src/status/queries.ts";
import { tempHome } from "../support/home.ts";

const home = tempHome("afk-day-totals-");
afterAll(home.cleanup);
let n = 0;
const fresh = () => join(home.dir, `ledger-${++n}.sqlite`);

const DAYS = ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"];
// asked out of order, with a repeat and a day with no rows: the answer follows the question
const ASKED = ["2026-11-24", "2026-11-19", ...DAYS, "2026-11-22"];
const CLOSED = TICK_STATUSES.filter((s) => s !== "running");

const open = (id: string, day: string, startedAt = `${day}T07:00:00.000Z`): OpenTick => ({
  id,
  slot: startedAt,
  trigger: "schedule",
  day,
  startedAt,
  pid: 1,
  version: "t",
  specHash: "h",
  specOrigin: "file:test",
  tracePath: "runs/x/trace.jsonl",
});

/**
 * What dayTotals answered before core-008, aggregating the rows themselves (ticks grouped by day
 * and status, spend through the `call_spend` view): the kept totals must answer the same, byte for byte.
 */
function fromRows(db: Database, days: readonly string[]): DayTotals[] {
  const out = new Map<string, DayTotals>(
    days.map((day) => [
      day,
      { day, ticks: 0, byStatus: {}, spendMicros: 0, valueMicros: 0, shadowMicros: 0 },
    ]),
  );
  const ticks = db
    .query<{ day: string; status: TickStatus; n: number; value: number }, []>(
      "SELECT day, status, count(*) AS n, coalesce(sum(value_micros), 0) AS value FROM ticks GROUP BY day, status",
    )
    .all();
  for (const r of ticks) {
    const t = out.get(r.day);
    if (!t) continue;
    t.ticks += r.n;
    t.byStatus[r.status] = r.n;
    t.valueMicros += r.value;
  }
  const calls = db
    .query<{ day: string; spend: number; shadow: number }, []>(
      "SELECT day, coalesce(sum(spend_micros), 0) AS spend, coalesce(sum(shadow_micros), 0) AS shadow FROM call_spend GROUP BY day",
    )
    .all();
  for (const r of calls) {
    const t = out.get(r.day);
    if (!t) continue;
    t.spendMicros = r.spend;
    t.shadowMicros = r.shadow;
  }
  return days.map((d) => out.get(d) as DayTotals);
}

/** The kept rows equal a fresh aggregate of every row, on every day (not only the asked ones). */
function expectKeptEqualsRows(db: Database): void {
  expect(
    db
      .query(
        "SELECT day, status, ticks, value_micros FROM totals_day_ticks WHERE ticks <> 0 ORDER BY day, status",
      )
      .all(),
  ).toEqual(
    db
      .query(
        "SELECT day, status, count(*) AS ticks, sum(value_micros) AS value_micros FROM ticks GROUP BY day, status ORDER BY day, status",
      )
      .all(),
  );
  // a (day, status) left at zero holds no value either
  expect(db.query("SELECT * FROM totals_day_ticks WHERE ticks = 0 AND value_micros <> 0").all()).toEqual([]);
  expect(
    db
      .query(
        `SELECT k.day, k.spend_micros, k.shadow_micros FROM totals_day_calls k
          WHERE k.spend_micros <> 0 OR k.shadow_micros <> 0 OR k.day IN (SELECT day FROM call_spend) ORDER BY k.day`,
      )
      .all(),
  ).toEqual(
    db
      .query(
        "SELECT day, sum(spend_micros) AS spend_micros, sum(shadow_micros) AS shadow_micros FROM call_spend GROUP BY day ORDER BY day",
      )
      .all(),
  );
  expect(dayTotalsDrift(db)).toEqual([]);
  // JSON, not toEqual: the order of byStatus's keys is what /status.json prints
  expect(JSON.stringify(dayTotals(db, ASKED))).toBe(JSON.stringify(fromRows(db, ASKED)));
}

/** One random change to the ledger, through afk's own writers where it has one, by hand otherwise. */
function randomStep(db: Database, rand: () => number, step: number): void {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const ids = (sql: string) =>
    db
      .query<{ id: string | number }, []>(sql)
      .all()
      .map((r) => r.id);
  const day = pick(DAYS);
  const at = `${day}T${String(step % 24).padStart(2, "0")}:00:${String(step % 60).padStart(2, "0")}.000Z`;
  const micros = () => Math.floor(rand() * 3_000_000);
  const tick = () => pick(ids("SELECT id FROM ticks"));
  const running = () => pick(ids("SELECT id FROM ticks WHERE status = 'running'"));
  const call = () => pick(ids("SELECT id FROM calls"));
  const openCall = () => pick(ids("SELECT id FROM calls WHERE state = 'reserved'"));
  switch (Math.floor(rand() * 14)) {
    case 0:
    case 1:
      openTickRow(db, open(`t${step}`, day, at));
      return;
    case 2: {
      const id = running();
      if (id !== undefined)
        closeTickRow(db, String(id), { status: pick(CLOSED), endedAt: at, valueMicros: micros() });
      return;
    }
    case 3:
      recordEndedTick(db, open(`e${step}`, day, at), { status: pick(CLOSED), endedAt: at });
      return;
    case 4: {
      // an operator's rewrite: status (back to running too) and value
      const id = tick();
      if (id !== undefined)
        db.run("UPDATE ticks SET status = ?, value_micros = ? WHERE id = ?", [
          pick(TICK_STATUSES),
          micros(),
          id,
        ]);
      return;
    }
    case 5: {
      const id = tick();
      if (id !== undefined) db.run("UPDATE ticks SET day = ? WHERE id = ?", [day, id]);
      return;
    }
    case 6: {
      const id = tick();
      if (id === undefined) return;
      db.run("DELETE FROM calls WHERE tick_id = ?", [id]);
      db.run("DELETE FROM ticks WHERE id = ?", [id]);
      return;
    }
    case 7:
    case 8: {
      const id = tick();
      if (id === undefined) return;
      const r = reserve(db, {
        tickId: String(id),
        day,
        linkId: "paid",
        model: "m",
        attempt: 1,
        reservedMicros: micros() + 1,
        capMicros: Number.MAX_SAFE_INTEGER,
        startedAt: at,
      });
      if (!r.ok) throw new Error("reservation refused under an unbounded cap");
      return;
    }
    case 9: {
      const id = openCall();
      if (id === undefined) return;
      const charged = rand() < 0.3;
      settle(db, Number(id), {
        state: charged ? "charged_full" : "settled",
        costMicros: micros(),
        tokensIn: 10,
        tokensOut: 10,
        outcome: charged ? "unknown" : "ok",
        endedAt: at,
      });
      return;
    }
    case 10: {
      const id = tick();
      if (id === undefined) return;
      if (rand() < 0.5) chargeOpenReservations(db, String(id), at);
      else
        recordFreeCall(db, {
          tickId: String(id),
          day,
          linkId: "primary",
          kind: "ollama",
          model: "llama",
          attempt: 1,
          tokensIn: 100,
          tokensOut: 20,
          shadowMicros: micros(),
          outcome: "ok",
          startedAt: at,
          endedAt: at,
        });
      return;
    }
    case 11: {
      // an operator's rewrite of a call: its day, state and amounts
      const id = call();
      if (id !== undefined)
        db.run(
          "UPDATE calls SET day = ?, state = ?, reserved_micros = ?, cost_micros = ?, shadow_micros = ? WHERE id = ?",
          [day, pick(["reserved", "settled", "charged_full", "free"]), micros(), micros(), micros(), id],
        );
      return;
    }
    case 12: {
      const id = call();
      if (id !== undefined) db.run("DELETE FROM calls WHERE id = ?", [id]);
      return;
    }
    default:
      // the lab's hand insert through the view: a closed tick and a settled call in one statement
      db.run("INSERT INTO ledger (ts, usd_in, value_usd) VALUES (?, ?, ?)", [at, rand(), rand() * 3]);
  }
}

describe("per-day totals kept by triggers (core-008)", () => {
  test("equal a fresh aggregate of the rows after each of 600 random inserts, closes, rewrites, settles and deletes over five days", () => {
    const db = openDatabase(fresh());
    try {
      const rand = seededRandom(20261124);
      for (let step = 0; step < 600; step++) {
        randomStep(db, rand, step);
        expectKeptEqualsRows(db);
      }
      // the sequence reached every kind of row it can leave
      const kinds = db
        .query<{ n: number }, []>(
          `SELECT (SELECT count(DISTINCT status) FROM ticks) + (SELECT count(DISTINCT state) FROM calls)
                + (SELECT count(DISTINCT day) FROM ticks) AS n`,
        )
        .get();
      expect(kinds?.n).toBeGreaterThanOrEqual(CLOSED.length + 4 + DAYS.length - 2);
      expect(db.query("SELECT count(*) AS n FROM totals_day_ticks WHERE ticks = 0").get()).not.toEqual({
        n: 0,
      });
    } finally {
      db.close();
    }
  });

  test("the drift check (the soak's invariant) names each table and day whose totals left the rows", () => {
    const db = openDatabase(fresh());
    try {
      const rand = seededRandom(11);
      for (let step = 0; step < 120; step++) randomStep(db, rand, step);
      expect(dayTotalsDrift(db)).toEqual([]);
      const [a, b] = db
        .query<{ day: string }, []>("SELECT DISTINCT day FROM ticks ORDER BY day LIMIT 2")
        .all()
        .map((r) => r.day);
      const paid = db
        .query<{ day: string }, []>("SELECT day FROM call_spend ORDER BY day LIMIT 1")
        .get()?.day;
      if (!a || !b || !paid) throw new Error("the random steps left too few days to tamper with");
      // a (day, status) that counts one row too many, a row the triggers never saw, a spend left behind
      db.run("UPDATE totals_day_ticks SET ticks = ticks + 1 WHERE day = ? AND ticks > 0", [a]);
      db.run("DROP TRIGGER totals_day_ticks_insert");
      openTickRow(db, open("unseen", b, `${b}T23:59:00.000Z`));
      db.run("UPDATE totals_day_calls SET spend_micros = spend_micros + 1 WHERE day = ?", [paid]);
      expect(dayTotalsDrift(db)).toEqual(
        [`totals_day_ticks ${a}`, `totals_day_ticks ${b}`, `totals_day_calls ${paid}`].sort(),
      );
    } finally {
      db.close();
    }
  });

  test("a write that rolls back takes its contribution with it", () => {
    const db = openDatabase(fresh());
    try {
      recordEndedTick(db, open("kept", "2026-11-24"), {
        status: "ok",
        endedAt: "2026-11-24T07:00:01.000Z",
        valueMicros: 5,
      });
      const before = dayTotals(db, DAYS);
      expect(() =>
        db.transaction(() => {
          openTickRow(db, open("gone", "2026-11-24", "2026-11-24T08:00:00.000Z"));
          db.run("UPDATE ticks SET value_micros = 7 WHERE id = 'kept'");
          throw new Error("the tick's write failed");
        })(),
      ).toThrow("the tick's write failed");
      expect(dayTotals(db, DAYS)).toEqual(before);
      expectKeptEqualsRows(db);
    } finally {
      db.close();
    }
  });

  test("a ledger written before core-008 is backfilled from its rows when it is next opened, then read on the read-only path", () => {
    const path = fresh();
    const before = new Database(path, { create: true, strict: true });
    migrate(
      before,
      allMigrations.filter((m) => m.id !== "core-008"),
    );
    const rand = seededRandom(7);
    for (let step = 0; step < 200; step++) randomStep(before, rand, step);
    openTickRow(before, open("still-running", "2026-11-24", "2026-11-24T23:00:00.000Z"));
    const answer = JSON.stringify(fromRows(before, ASKED));
    expect(
      before.query("SELECT count(*) AS n FROM sqlite_master WHERE name LIKE 'totals_day_%'").get(),
    ).toEqual({ n: 0 });
    before.close();

    // a ledger missing a migration never takes the read-only shortcut: the ordinary open migrates it
    expect(openLedgerReadOnly(path)).toBeNull();
    const db = openDatabase(path);
    try {
      expect(JSON.stringify(dayTotals(db, ASKED))).toBe(answer);
      expectKeptEqualsRows(db);
      expect(dayTotals(db, ["2026-11-24"])[0]?.byStatus.running).toBeGreaterThanOrEqual(1);
      // what a start-up's recovery does to rows left running (crashed), as the triggers see it
      db.run("UPDATE ticks SET status = 'crashed', ended_at = started_at WHERE status = 'running'");
    } finally {
      db.close();
    }
    const ro = openLedgerReadOnly(path);
    if (!ro) throw new Error("a current ledger with no running tick should open read-only");
    try {
      expect(JSON.stringify(dayTotals(ro, ASKED))).toBe(JSON.stringify(fromRows(ro, ASKED)));
    } finally {
      ro.close();
    }
  });
});
