import type { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ManualClock } from "../../src/core/clock.ts";
import {
  closeOnFullDisk,
  closeTickRow,
  endBeforeStart,
  type OpenTick,
  openTickOf,
  openTickRow,
  recordEndedTick,
  recoverCrashed,
} from "../../src/harness/tick-row.ts";
import { openDatabase } from "../../src/ledger/db.ts";
import type { TickRow } from "../../src/ledger/ticks.ts";
import { loadSpecFile } from "../../src/spec/load.ts";
import type { TraceRecord } from "../../src/trace/tracer.ts";
import { tempHome, writeSpec } from "../support/home.ts";

/** The one writer of a tick's row: exactly one row per tick, closed in every ending, closed once. */

let home: { dir: string; cleanup: () => void };
let db: Database;
const clock = new ManualClock("2026-11-24T07:00:00Z");

beforeEach(() => {
  home = tempHome();
  db = openDatabase(join(home.dir, "ledger.sqlite"));
});
afterEach(() => {
  db.close();
  home.cleanup();
});

function openTick(id: string, pid = process.pid): OpenTick {
  const loaded = loadSpecFile(writeSpec(home.dir, { sources: [{ id: "a", url: "feeds/a.xml" }] }));
  return openTickOf({
    id,
    slot: new Date("2026-11-24T07:00:00Z"),
    trigger: "schedule",
    now: clock.now(),
    loaded,
    version: "test",
    pid,
  });
}

function rows(id: string): TickRow[] {
  return db.query<TickRow, [string]>("SELECT * FROM ticks WHERE id = ?").all(id);
}

function reserve(tickId: string, micros: number): void {
  db.query(
    `INSERT INTO calls (tick_id, day, link_id, kind, model, state, reserved_micros, started_at)
     VALUES (?, '2026-11-24', 'paid', 'openai', 'm', 'reserved', ?, '2026-11-24T07:00:00Z')`,
  ).run(tickId, micros);
}

describe("a tick's row", () => {
  test("is opened running with the facts it started from, and its trace path under the spec's day", () => {
    const t = openTick("t-open");
    openTickRow(db, t);
    const [r] = rows("t-open");
    expect(r?.status).toBe("running");
    expect(r?.slot).toBe("2026-11-24T07:00:00.000Z");
    expect(r?.pid).toBe(process.pid);
    expect(r?.trace_path).toBe(t.tracePath);
    expect(t.tracePath).toContain("2026-11-24");
  });

  test("is closed once: the first ending wins and a second close changes nothing", () => {
    openTickRow(db, openTick("t-once"));
    const at = clock.now().toISOString();
    expect(closeTickRow(db, "t-once", { status: "ok", endedAt: at, valueMicros: 2_500_000 })).toBe(true);
    expect(closeTickRow(db, "t-once", { status: "killed", endedAt: at, reason: "late" })).toBe(false);
    const [r] = rows("t-once");
    expect(r?.status).toBe("ok");
    expect(r?.value_micros).toBe(2_500_000);
    expect(r?.reason).toBeNull();
  });

  test("a tick id gets one row: opening it again is refused by the ledger", () => {
    openTickRow(db, openTick("t-dup"));
    expect(() => openTickRow(db, openTick("t-dup"))).toThrow();
    expect(() => recordEndedTick(db, openTick("t-dup"), { status: "failed", endedAt: "x" })).toThrow();
    expect(rows("t-dup")).toHaveLength(1);
  });

  test("a tick that ends before it starts leaves one closed row and a one-span trace with the same facts", () => {
    const spans: TraceRecord[] = [];
    const t = openTick("t-short");
    const s = endBeforeStart(db, t, (r) => spans.push(r), clock, {
      status: "halted_cap",
      reason: "cap reached",
      attrs: { cap_micros: 5 },
    });
    expect(s).toMatchObject({
      tickId: "t-short",
      status: "halted_cap",
      reason: "cap reached",
      valueMicros: 0,
    });
    const [r] = rows("t-short");
    expect(r?.status).toBe("halted_cap");
    expect(r?.ended_at).toBe(clock.now().toISOString());
    expect(JSON.parse(r?.detail ?? "{}")).toEqual({ cap_micros: 5 });
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({ tick: "t-short", status: "halted_cap" });
    expect(spans[0]?.attrs).toMatchObject({ reason: "cap reached", cap_micros: 5, slot: t.slot });
  });

  test("a row left running by a dead process is closed crashed at the next start, its reservation charged in full", () => {
    openTickRow(db, openTick("t-dead", 999_999));
    reserve("t-dead", 1200);
    openTickRow(db, openTick("t-live", 4242));
    openTickRow(db, openTick("t-self"));
    const dead = recoverCrashed(db, clock.now(), process.pid, (pid) => pid === 4242);
    expect(dead.map((r) => r.id)).toEqual(["t-dead"]);
    expect(rows("t-dead")[0]?.status).toBe("crashed");
    expect(rows("t-live")[0]?.status).toBe("running");
    expect(rows("t-self")[0]?.status).toBe("running");
    const call = db
      .query<{ state: string; cost_micros: number }, []>("SELECT state, cost_micros FROM calls")
      .get();
    expect(call).toEqual({ state: "charged_full", cost_micros: 1200 });
    // Again, with 4242 gone too: only its row is closed; the crashed one stays as it was.
    expect(recoverCrashed(db, clock.now(), process.pid, () => false).map((r) => r.id)).toEqual(["t-live"]);
    expect(rows("t-dead")[0]?.reason).toContain("process 999999 died mid-tick");
  });
});

describe("a ledger that fills mid-tick (SQLITE_FULL on a real file, held at max_page_count)", () => {
  test("the full close does not fit; the row is still closed failed with the fault and its fix, not left for crashed", () => {
    const t = openTick("t-full");
    openTickRow(db, t);
    db.run("CREATE TABLE filler (b BLOB)");
    const pages = db.query<{ page_count: number }, []>("PRAGMA page_count").get()?.page_count ?? 0;
    db.run(`PRAGMA max_page_count = ${pages + 2}`);
    let full: unknown = null;
    try {
      for (let i = 0; i < 100; i++) db.query("INSERT INTO filler VALUES (?)").run(new Uint8Array(4096));
    } catch (err) {
      full = err;
    }
    expect((full as { code?: string }).code).toBe("SQLITE_FULL");
    const big = { detail: { note: "x".repeat(64 * 1024) } };
    const ending = { status: "failed" as const, endedAt: clock.now().toISOString(), reason: "r", ...big };
    expect(() => closeTickRow(db, t.id, ending)).toThrow(/full/);
    expect(rows(t.id)[0]?.status).toBe("running");
    expect(closeOnFullDisk(db, t.id, ending.endedAt, full)).toBe(true);
    expect(rows(t.id)[0]).toMatchObject({ status: "failed", ended_at: ending.endedAt });
    expect(rows(t.id)[0]?.reason).toBe(
      "the disk holding the ledger is full (SQLITE_FULL) — fix: free space on that filesystem (df -h AFK_HOME), then start again",
    );
    // closed once: the next start finds nothing running to call crashed
    expect(recoverCrashed(db, clock.now(), process.pid + 1, () => false)).toEqual([]);
  });
});
