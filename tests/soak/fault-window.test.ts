import type { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../src/ledger/db.ts";
import { handedOverSince } from "../../src/models/calls.ts";
import { rowidBeforeInFlight } from "../../src/soak/run.ts";
import { tempHome } from "../support/home.ts";

const home = tempHome("afk-soak-window-");
afterAll(home.cleanup);

const tick = (db: Database, id: string, status: string) =>
  db.run("INSERT INTO ledger (tick_id, ts, status, usd_in, value_usd) VALUES (?, ?, ?, 0, 0)", [
    id,
    "2026-04-10T04:00:09Z",
    status,
  ]);
const call = (db: Database, tickId: string, link: string, outcome: string) =>
  db.run(
    "INSERT INTO calls (tick_id, day, link_id, kind, state, outcome, started_at) VALUES (?, '2026-04-10', ?, 'x', 'free', ?, '2026-04-10T04:34:16Z')",
    [tickId, link, outcome],
  );

test("a fault's window starts below the tick still running when it is injected: its hand-over inside that tick is seen", () => {
  const db = openDatabase(join(home.dir, "ledger.sqlite"));
  try {
    expect(rowidBeforeInFlight(db)).toBe(0); // an empty ledger
    tick(db, "t-before", "ok");
    expect(rowidBeforeInFlight(db)).toBe(1); // nothing running: everything so far is before
    tick(db, "t-job", "running"); // a job tick opened before the fault, running through it
    const from = rowidBeforeInFlight(db);
    expect(from).toBe(1);
    // during the fault: the primary answers 500 inside that tick, the paid tier takes over
    call(db, "t-job", "primary", "http_5xx");
    call(db, "t-job", "paid", "replied");
    expect(handedOverSince(db, from, "primary", "paid")).toBe(true);
    // the judge the 45-day soak used (the highest rowid at injection) missed it
    expect(handedOverSince(db, 2, "primary", "paid")).toBe(false);
  } finally {
    db.close();
  }
});
