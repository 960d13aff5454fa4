/**
 * A job's command begins only once afk has recorded its group: an afk SIGKILLed between the spawn
 * of the group's leader and that record leaves nothing running, because the command never began
 * (the leader reads EOF where the go line would have come, and exits). Before the gate, the
 * command ran from the spawn on, and nothing would ever have ended it.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { startTimeOf } from "../../src/core/identity.ts";
import { startAfk } from "../../src/evidence/afk-child.ts";
import { groupStats, isZombieState } from "../../src/job/group.ts";
import { readJobGroups } from "../../src/job/group-record.ts";
import { groupAlive } from "../../src/job/process.ts";
import { childEnv } from "../runner/helpers.ts";
import { tempHome } from "../support/home.ts";
import { polled } from "../support/poll.ts";
import { writeJobSpec } from "./helpers.ts";

const HELD_AFK = join(import.meta.dir, "fixtures", "held-afk.ts");
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("a job's command starts only once its group is recorded", () => {
  test("afk SIGKILLed between the leader's spawn and the record: the command never runs and nothing of its group is left", async () => {
    const h = tempHome("afk-job-gate-");
    cleanups.push(h.cleanup);
    const marker = join(h.dir, "ran.marker");
    const spec = writeJobSpec(h.dir, { run: ["sh", "-c", `echo ran > "${marker}"; exec sleep 300`] });
    const afk = startAfk(["tick", "--spec", spec], {
      env: childEnv(h.dir),
      launcher: [process.execPath, HELD_AFK],
    });
    cleanups.push(afk.killTree);
    const pgid = Number((await afk.err.waitFor(/^held job leader \d+$/)).split(" ").at(-1));
    // Whatever of the group escapes this test is killed at clean-up: only processes started no
    // earlier than its leader (the job's, as the reaper proves them).
    const leaderStart = BigInt(startTimeOf(pgid));
    cleanups.push(() => {
      for (const s of groupStats(pgid))
        if (!isZombieState(s) && BigInt(s.start) >= leaderStart) process.kill(s.pid, "SIGKILL");
    });
    // Held: the leader runs, its group is not recorded yet, the command has not begun.
    expect(groupAlive(pgid)).toBe(true);
    expect(readJobGroups(h.dir).records).toEqual([]);

    afk.kill("SIGKILL");
    await afk.exited;
    // Either the leader gives up, or (before the gate) the command shows it ran.
    await polled(() => !groupAlive(pgid) || existsSync(marker));
    expect(existsSync(marker)).toBe(false);
    expect(groupAlive(pgid)).toBe(false);
    expect(readJobGroups(h.dir).records).toEqual([]);
  }, 40_000);
});
