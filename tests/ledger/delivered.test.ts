import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { openTickRow } from "../../src/harness/tick-row.ts";
import { openDatabase } from "../../src/ledger/db.ts";
import { deliveredIdentities, markDelivered } from "../../src/ledger/ticks.ts";
import { tempHome } from "../support/home.ts";

const home = tempHome("afk-delivered-");
afterAll(home.cleanup);

test("deliveredIdentities answers a whole tick's list in one query: exactly the marked ones, whatever their characters", () => {
  const db = openDatabase(join(home.dir, "ledger.sqlite"));
  openTickRow(db, {
    id: "t1",
    slot: "2026-11-24T07:00:00.000Z",
    trigger: "schedule",
    day: "2026-11-24",
    startedAt: "2026-11-24T07:00:00.000Z",
    pid: 1,
    version: "t",
    specHash: "h",
    specOrigin: "file:test",
    tracePath: "runs/x/trace.jsonl",
  });
  const odd = ['quo"te', "back\\slash", "ünï “cödé” 🦆", "https://a.example/p?q=1&r=%22", "x".repeat(512)];
  markDelivered(db, "t1", [...odd, "a-1"], "2026-11-24T07:01:00.000Z");
  const asked = [...odd, "a-1", "a-2", "A-1", "", "[]", "null"];
  expect([...deliveredIdentities(db, asked)].sort()).toEqual([...odd, "a-1"].sort());
  expect(deliveredIdentities(db, []).size).toBe(0);
  const many = Array.from({ length: 5000 }, (_, i) => `n-${i}`);
  expect(deliveredIdentities(db, [...many, "a-1"])).toEqual(new Set(["a-1"]));
  db.close();
});
