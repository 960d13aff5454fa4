import { expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../src/ledger/db.ts";
import { accountSlots, type Row, runSlots } from "../../src/soak/invariants.ts";
import { soakJobSpecText, soakSpecText } from "../../src/soak/spec.ts";
import { parseSpec } from "../../src/spec/load.ts";
import { tempHome } from "../support/home.ts";

const input = {
  cadence: "0 * * * *",
  feedUrl: (id: string) => `http://127.0.0.1:9/feed/${id}`,
  paidBaseUrl: "http://127.0.0.1:9/v1",
};
const parse = (text: string) => parseSpec(text, "SPEC.md", "file:SPEC.md", import.meta.dir).spec;

test("a run accounts for the digest's hourly slots, and inside a job period for the job spec's two-hourly ones instead", () => {
  const slots = runSlots({
    spec: parse(soakSpecText(input)),
    firstSlot: new Date("2026-03-02T22:00:00Z"),
    lastSlot: new Date("2026-03-03T07:00:00Z"),
    jobPeriods: [
      {
        from: new Date("2026-03-03T00:40:00Z"),
        to: new Date("2026-03-03T04:40:00Z"),
        spec: parse(soakJobSpecText(input)),
      },
    ],
  });
  expect(slots.map((s) => s.slice(11, 16))).toEqual([
    "22:00",
    "23:00",
    "00:00",
    "02:00",
    "04:00",
    "05:00",
    "06:00",
    "07:00",
  ]);
});

test("an unaccounted slot is named with its time, its spec and the rows it has, so a soak's failure explains itself", () => {
  const home = tempHome("afk-soak-slots-");
  const db = openDatabase(join(home.dir, "ledger.sqlite"));
  try {
    const spec = parse(soakSpecText(input));
    const row = (slot: string, status: Row["status"], reason: string | null): Row => ({
      slot: `2026-03-02T${slot}:00.000Z`,
      status,
      reason,
      out_path: null,
    });
    const i = {
      db,
      spec,
      firstSlot: new Date("2026-03-02T16:00:00Z"),
      lastSlot: new Date("2026-03-02T19:00:00Z"),
    };
    const a = accountSlots(i, [
      row("16:00", "ok", null),
      row("17:00", "running", null), // left open: no reason, no delivery
      row("19:00", "skipped_overlap", "came due while the catch-up of … ran"),
    ]);
    expect(a.slots).toHaveLength(4);
    expect(a.accounted).toBe(2);
    expect(a.unaccounted).toEqual([
      `2026-03-02T17:00:00.000Z (spec ${spec.name}, cadence "0 * * * *": running)`,
      `2026-03-02T18:00:00.000Z (spec ${spec.name}, cadence "0 * * * *": no row)`,
    ]);
  } finally {
    db.close();
    home.cleanup();
  }
});
