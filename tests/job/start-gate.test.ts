/**
 * A job's command begins only once afk has recorded its group: an afk SIGKILLed between the spawn
 * of the group's leader and that record leaves nothing running, because the command never began
 * (the leader reads EOF where the go line would have come, and exits). Before the gate, the
 * command ran from the spawn on, and nothing would ever have ended it. The next start closes the
 * held tick's row `crashed` with no group to end, and its own tick runs the job.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startTimeOf } from "../../src/core/identity.ts";
import { startAfk } from "../../src/evidence/afk-child.ts";
import { groupStats, isZombieState } from "../../src/job/group.ts";
import { readJobGroups } from "../../src/job/group-record.ts";
import { groupAlive } from "../../src/job/process.ts";
import { childEnv, ticksIn } from "../runner/helpers.ts";
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
    // Once `second` exists (the next start's tick) the job prints a unit; before, it would mark that
    // it ran and stay up.
    const job = [
      `if [ -e second ]; then echo '{"title": "second", "markdown": "done", "items": 1}'; exit 0; fi`,
      `echo ran > "${marker}"`,
      "exec sleep 300",
    ].join("\n");
    const spec = writeJobSpec(h.dir, { run: ["sh", "-c", job] });
    const env = childEnv(h.dir);
    const afk = startAfk(["tick", "--spec", spec], {
      env,
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

    // The next start: the held tick's row closed crashed, no group to end; its own tick delivers.
    const [held] = ticksIn(h.dir);
    expect(held?.status).toBe("running");
    writeFileSync(join(h.dir, "second"), "");
    const next = await startAfk(["tick", "--spec", spec], { env }).result();
    expect(next.code).toBe(0);
    const rows = ticksIn(h.dir);
    const old = rows.find((r) => r.id === held?.id);
    expect(old?.status).toBe("crashed");
    expect(old?.reason).toContain("died mid-tick; closed at next start");
    expect(old?.reason).not.toContain("job group");
    expect(rows.find((r) => r.id !== held?.id)?.status).toBe("ok");
    expect(existsSync(marker)).toBe(false);
  }, 40_000);
});
