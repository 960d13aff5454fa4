import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSoak } from "../../src/soak/run.ts";

const home = mkdtempSync(join(tmpdir(), "afk-soak-test-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

test("a two-day soak of real serve processes survives a SIGKILL mid-tick, a host outage, the kill flag and a source down, with every slot accounted for", async () => {
  const r = await runSoak({
    days: 2,
    cadence: "0 * * * *",
    seed: 3,
    scale: 8640,
    faults: ["sigkill_mid_tick", "host_down", "kill_flag", "source_503", "feed_shape"],
    home,
    day0: new Date("2026-03-02T00:00:00Z"),
  });
  expect(r.broken).toEqual([]);
  expect(r.faults.every((f) => f.injected && f.observed)).toBe(true);
  const i = r.invariants;
  expect(i.slots).toBeGreaterThanOrEqual(70);
  expect(i.slots_accounted).toBe(i.slots);
  expect(i.double_deliveries).toBe(0);
  expect(i.partial_files).toBe(0);
  expect(i.kills_late).toBe(0);
  expect(i.run_log_days_missing).toEqual([]);
  expect(i.statuses.crashed).toBeGreaterThanOrEqual(1);
  expect(i.statuses.refused_kill).toBeGreaterThanOrEqual(1);
  expect(i.catchups).toBeGreaterThanOrEqual(2);
  expect(r.restarts).toBeGreaterThanOrEqual(3);
}, 60_000);
