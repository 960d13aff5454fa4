import { afterEach, describe, expect, test } from "bun:test";
import { insertClock, readClock } from "../../src/status/clock-state.ts";
import { addDays } from "../../src/status/days.ts";
import { attendance, isUnattended, unattendedDays } from "../../src/status/unattended.ts";
import { statusHome } from "./helpers.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/**
 * A clock started Monday 2026-11-16 under a Mondays-only cadence, and ticks by day
 * ("s" a scheduled tick, "m" a manual one); today is Tuesday 2026-11-24.
 */
function ledger(ticks: Record<string, string>) {
  const h = statusHome();
  cleanups.push(h.cleanup);
  const app = h.app("value");
  const db = app.db();
  insertClock(db, "2026-11-16T00:00:00.000Z", "2026-11-16");
  for (const [day, kinds] of Object.entries(ticks))
    for (const k of kinds)
      db.query("INSERT INTO ledger (ts, day, trigger, status) VALUES (?, ?, ?, 'ok')").run(
        `${day}T07:00:00.000Z`,
        day,
        k === "m" ? "manual" : "schedule",
      );
  const clock = readClock(db);
  if (!clock) throw new Error("test: no clock row");
  return { db, spec: { ...app.loaded.spec, cadence: "0 7 * * 1" }, tickSeconds: undefined, clock };
}

describe("unattendedDays counts back from yesterday while days ran alone", () => {
  test.each([
    [
      "every Monday ticked, nothing by hand: all 8 completed days",
      { "2026-11-16": "s", "2026-11-23": "ss" },
      8,
    ],
    [
      "a manual tick on Thursday stops the count there",
      { "2026-11-16": "s", "2026-11-19": "m", "2026-11-23": "s" },
      4,
    ],
    [
      "a manual tick beside a runner tick still counts as a hand on it",
      { "2026-11-16": "s", "2026-11-23": "sm" },
      0,
    ],
    ["Monday's slot was due and has no tick: attention, not unattended", { "2026-11-16": "s" }, 0],
    [
      "a runner tick on a day with no slot due is fine",
      { "2026-11-16": "s", "2026-11-21": "s", "2026-11-23": "s" },
      8,
    ],
  ] as const)("%s", (_, ticks, expected) => {
    const input = ledger(ticks);
    expect(unattendedDays(input, "2026-11-24")).toBe(expected);
    // the same count as the per-day verdict the run log writes
    let n = 0;
    for (
      let day = "2026-11-23";
      day >= "2026-11-16" && isUnattended(attendance(input, day));
      day = addDays(day, -1)
    )
      n++;
    expect(n).toBe(expected);
  });

  test("attendance lists a day's manual ticks in the order they were written", () => {
    const input = ledger({ "2026-11-19": "msm" });
    const a = attendance(input, "2026-11-19");
    expect(a.runnerTicks).toBe(1);
    const ids = input.db
      .query<{ id: string }, []>("SELECT id FROM ticks WHERE trigger = 'manual' ORDER BY rowid")
      .all()
      .map((r) => r.id);
    expect(a.manualTicks).toEqual(ids);
    expect(a.slotDue).toBe(false);
  });
});
