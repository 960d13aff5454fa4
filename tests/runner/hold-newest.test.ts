import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../src/ledger/db.ts";
import { currentHold } from "../../src/runner/hold.ts";
import { everySeconds } from "../../src/spec/slots.ts";
import { tempHome } from "../support/home.ts";

const home = tempHome("afk-hold-newest-");
afterAll(home.cleanup);

/** A ledger holding exactly `rows` (id, status, day, started_at). */
function ledgerWith(name: string, rows: [string, string, string, string][]) {
  const db = openDatabase(join(home.dir, `${name}.sqlite`));
  for (const [id, status, day, at] of rows)
    db.run(
      `INSERT INTO ticks (id, slot, trigger, status, day, started_at, ended_at, pid, version, spec_hash, spec_origin)
       VALUES (?, ?, 'schedule', ?, ?, ?, ?, 1, 'v', 'h', 'file:x')`,
      [id, at, status, day, at, at],
    );
  return db;
}

const hold = (db: ReturnType<typeof ledgerWith>) =>
  currentHold({
    db,
    schedule: everySeconds(3600),
    timeZone: "UTC",
    now: new Date("2026-03-03T12:00:00Z"),
    killFlag: "/nonexistent/afk.kill",
    flagPresent: false,
    capReached: false,
  }).state;

describe("the cap hold reads the day's newest row", () => {
  test("today's newest row halted at the cap: halted", () => {
    const db = ledgerWith("today-halted", [
      ["a", "ok", "2026-03-03", "2026-03-03T09:00:00.000Z"],
      ["b", "halted_cap", "2026-03-03", "2026-03-03T10:00:00.000Z"],
    ]);
    expect(hold(db)).toBe("halted");
    db.close();
  });

  test("yesterday's halt is over: running (the newest row of all is not today's)", () => {
    const db = ledgerWith("yesterday-halted", [
      ["a", "halted_cap", "2026-03-02", "2026-03-02T23:00:00.000Z"],
    ]);
    expect(hold(db)).toBe("running");
    db.close();
  });

  test("a newer row of another day (a clock stepped back) does not hide today's halt", () => {
    const db = ledgerWith("skewed", [
      ["a", "halted_cap", "2026-03-03", "2026-03-03T10:00:00.000Z"],
      ["b", "ok", "2026-03-02", "2026-03-03T11:00:00.000Z"],
    ]);
    expect(hold(db)).toBe("halted");
    db.close();
  });

  test("an empty ledger: running", () => {
    const db = ledgerWith("empty", []);
    expect(hold(db)).toBe("running");
    db.close();
  });
});
