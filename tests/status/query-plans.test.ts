import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { ClosedStatus } from "../../src/core/status.ts";
import { recordEndedTick } from "../../src/harness/tick-row.ts";
import { openDatabase } from "../../src/ledger/db.ts";
import { LAST_DELIVERED_SQL, LAST_WORK_SQL, lastDelivered, lastWorkTick } from "../../src/status/queries.ts";
import { tempHome } from "../support/home.ts";

const home = tempHome("afk-query-plans-");
afterAll(home.cleanup);

/**
 * A ledger whose 400 newest ticks did no work (skipped slots, refusals while killed) above 600 that
 * did: the shape the bench's 10,000-tick serve leaves, and a host that was killed for a few days.
 */
const db = openDatabase(join(home.dir, "ledger.sqlite"));
afterAll(() => db.close());
const at = (i: number) => new Date(Date.UTC(2026, 2, 1) + i * 60_000).toISOString();
for (let i = 0; i < 1_000; i++) {
  const status: ClosedStatus =
    i < 600 ? (i % 2 ? "ok" : "failed") : i % 2 ? "skipped_overlap" : "refused_kill";
  const id = `t${String(i).padStart(4, "0")}`;
  recordEndedTick(
    db,
    {
      id,
      slot: at(i),
      trigger: "schedule",
      day: at(i).slice(0, 10),
      startedAt: at(i),
      pid: 1,
      version: "test",
      specHash: "h",
      specOrigin: "test",
      tracePath: `runs/${id}/trace.jsonl`,
    },
    { status, endedAt: at(i), outPath: status === "ok" ? `out/${id}.md` : null },
  );
}

const plan = (sql: string) =>
  db
    .query<{ detail: string }, []>(`EXPLAIN QUERY PLAN ${sql}`)
    .all()
    .map((r) => r.detail)
    .join("; ");

describe("the newest tick of some statuses is found by walking the started_at index", () => {
  test.each([
    ["last work tick", LAST_WORK_SQL],
    ["last delivered tick", LAST_DELIVERED_SQL],
  ])("%s: the started_at index, no sort of every matching tick", (_name, sql) => {
    const p = plan(sql);
    expect(p).toContain("ticks_started_at");
    expect(p).not.toContain("TEMP B-TREE");
  });

  test("the answers are the newest matching rows", () => {
    expect(lastWorkTick(db)?.id).toBe("t0599");
    expect(lastDelivered(db)?.id).toBe("t0599");
  });
});
