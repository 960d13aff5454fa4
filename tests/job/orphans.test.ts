/**
 * A job that outlives its afk (SIGKILLed, or taken by the OOM killer) is ended at the next start:
 * its process group was recorded when it started (pgid and the leader's start time), the start
 * that closes the tick's row as `crashed` ends the group — SIGTERM, then SIGKILL after the grace —
 * and says so in the row's reason, a warning and the tick's trace. A record whose pid now names
 * another process is cleared and nothing is signalled.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { startTimeOf } from "../../src/core/identity.ts";
import { startAfk } from "../../src/evidence/afk-child.ts";
import { groupStats } from "../../src/job/group.ts";
import { type JobGroupRecord, jobGroupDir, readJobGroups } from "../../src/job/group-record.ts";
import { isGoneOrZombie } from "../../src/job/process.ts";
import { readTickTrace } from "../../src/trace/read.ts";
import { childEnv, ticksIn } from "../runner/helpers.ts";
import { tempHome } from "../support/home.ts";
import { fileText, polled } from "../support/poll.ts";
import { writeJobSpec } from "./helpers.ts";

const ROOM_MS = 40_000;
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * The first run leaves a grandchild ignoring SIGTERM and SIGHUP, ignores both itself and waits
 * forever; a later run (the next start's own tick) prints a unit and exits 0.
 */
const JOB = [
  'if [ -e ran-once ]; then echo \'{"title": "second", "markdown": "done", "items": 1}\'; exit 0; fi',
  ": > ran-once",
  "(trap '' TERM HUP; exec sleep 300) &",
  "echo $! > grandchild.pid",
  "trap '' TERM HUP",
  "sleep 300",
].join("\n");

/** The one job group record under AFK_HOME, once afk has written it. */
function recordWritten(home: string): Promise<JobGroupRecord> {
  return polled(() => readJobGroups(home).records[0]);
}

/** A process as pid + start time: gone when the pid runs nothing or runs another process now. */
interface Proc {
  pid: number;
  start: string;
}

function stillThere(p: Proc): boolean {
  return startTimeOf(p.pid) === p.start && !isGoneOrZombie(p.pid);
}

/** A first afk (`tick` or `serve`) runs the stubborn job and is SIGKILLed: its group lives on. */
async function leaveOrphan(command: "tick" | "serve") {
  const h = tempHome("afk-job-orphan-");
  cleanups.push(h.cleanup);
  const spec = writeJobSpec(h.dir, {
    run: ["sh", "job.sh"],
    files: { "job.sh": `${JOB}\n` },
    cadence: "0 * * * *",
  });
  const env = childEnv(h.dir, { TICK_SECONDS: "3600" });
  const first = startAfk([command, "--spec", spec], { env });
  cleanups.push(first.killTree);
  const grandchild = Number(await fileText(join(h.dir, "grandchild.pid")));
  // The record is written right after the spawn; the job may have got here first.
  const record = await recordWritten(h.dir);
  expect(record.start).toBe(startTimeOf(record.pgid));
  const group: Proc[] = groupStats(record.pgid).map((s) => ({ pid: s.pid, start: s.start }));
  // sh, its sleep, and the grandchild
  expect(group.length).toBeGreaterThanOrEqual(3);
  expect(group.map((p) => p.pid)).toContain(grandchild);
  // Whatever escapes this test is killed at clean-up, by pid and only if still the same process.
  cleanups.push(() => {
    for (const p of group) if (stillThere(p)) process.kill(p.pid, "SIGKILL");
  });

  first.kill("SIGKILL");
  await first.exited;
  expect(group.filter(stillThere)).toEqual(group);
  const [open] = ticksIn(h.dir);
  expect(open?.status).toBe("running");
  return { dir: h.dir, spec, env, record, group, grandchild, tickId: open?.id ?? "" };
}

/** Nothing of the group runs; the old row is crashed with the reason, its trace says so; the new tick delivered. */
function expectRecovered(o: Awaited<ReturnType<typeof leaveOrphan>>) {
  expect(o.group.filter(stillThere)).toEqual([]);
  const rows = ticksIn(o.dir);
  const old = rows.find((r) => r.id === o.tickId);
  expect(old?.status).toBe("crashed");
  expect(old?.reason).toContain("died mid-tick; closed at next start");
  expect(old?.reason).toContain(`job group ${o.record.pgid} ended at recovery`);
  expect(old?.reason).toContain("SIGKILL after the grace");
  expect(rows.find((r) => r.id !== o.tickId)?.status).toBe("ok");
  const event = readTickTrace(o.dir, o.tickId, old?.trace_path ?? null).find(
    (r) => r.name === "job.group_ended",
  );
  expect(event?.attrs.pgid).toBe(o.record.pgid);
  expect(event?.attrs.pids).toContain(String(o.grandchild));
  expect(event?.attrs.forced_kill).toBe(true);
  // Both records are gone: the old one at recovery, the new tick's own when its job ended.
  expect(readdirSync(jobGroupDir(o.dir))).toEqual([]);
}

describe("a job group left by a SIGKILLed afk is ended at the next start", () => {
  test(
    "afk tick: the group outlives the SIGKILL; the next afk tick ends every pid of it and closes the row crashed with the reason",
    async () => {
      const o = await leaveOrphan("tick");
      const second = await startAfk(["tick", "--spec", o.spec], { env: o.env }).result();
      expect(second.err).toContain(`tick ${o.tickId}: job group ${o.record.pgid} ended at recovery`);
      expect(second.code).toBe(0);
      expectRecovered(o);
    },
    ROOM_MS,
  );

  test(
    "afk serve: the restarted serve ends the group before its first tick, which then delivers",
    async () => {
      const o = await leaveOrphan("serve");
      const second = startAfk(["serve", "--spec", o.spec], { env: o.env });
      cleanups.push(second.killTree);
      await second.err.waitFor(new RegExp(`tick ${o.tickId}: job group ${o.record.pgid} ended at recovery`));
      await second.out.waitFor(/^tick .*: ok/);
      second.kill("SIGTERM");
      expect(await second.exited).toBe(0);
      expectRecovered(o);
    },
    ROOM_MS,
  );
});
