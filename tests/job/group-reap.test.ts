/**
 * The next start judges each recorded job group by who runs now, with real processes: only a
 * group still proven the job's (its leader's pid and start time, or members started after it)
 * is signalled; a pid that names another process, a group of older processes, a group on
 * another host and a tick still running in a live afk are never signalled.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { here, startTimeOf } from "../../src/core/identity.ts";
import { writeFileAtomic } from "../../src/core/write-atomic.ts";
import { type JobGroupRecord, jobGroupDir, readJobGroups } from "../../src/job/group-record.ts";
import { isGoneOrZombie } from "../../src/job/process.ts";
import { openDatabase } from "../../src/ledger/db.ts";
import { reapOrphanJobs, reportOrphanJobs } from "../../src/runner/job-orphans.ts";
import { tempHome, testDeps } from "../support/home.ts";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function home() {
  const h = tempHome("afk-group-reap-");
  cleanups.push(h.cleanup);
  const db = openDatabase(join(h.dir, "ledger.sqlite"));
  cleanups.push(() => db.close());
  return { dir: h.dir, db };
}

/** A process of this test's own, in its own group (pgid = pid), that SIGTERM or SIGHUP would end. */
function bystander(argv = ["sleep", "300"]) {
  const p = Bun.spawn(argv, { stdin: "ignore", stdout: "pipe", stderr: "ignore", detached: true });
  cleanups.push(async () => {
    try {
      process.kill(-p.pid, "SIGKILL");
    } catch {
      // gone
    }
    await p.exited;
  });
  return p;
}

type Forged = Pick<JobGroupRecord, "tick" | "pgid" | "pid" | "start"> & Partial<JobGroupRecord>;

function writeRecord(dir: string, r: Forged) {
  const record: JobGroupRecord = { ...here(), argv: ["sh", "job.sh"], ...r };
  writeFileAtomic(join(jobGroupDir(dir), `${r.tick}.json`), JSON.stringify(record));
}

const running = (pid: number, start: string) => startTimeOf(pid) === start && !isGoneOrZombie(pid);

describe("a recorded job group is signalled only when it is still the job's", () => {
  test("a reused pid (a live process of ours, another start time) is never signalled; its record goes", () => {
    const { dir, db } = home();
    const p = bystander();
    const start = startTimeOf(p.pid);
    writeRecord(dir, { tick: "t-reused", pgid: p.pid, pid: p.pid, start: String(BigInt(start) - 1n) });
    const sweep = reapOrphanJobs(db, dir, process.pid, () => true, 200);
    expect(sweep.jobs.map((j) => j.outcome.kind)).toEqual(["reused"]);
    expect(running(p.pid, start)).toBe(true);
    expect(p.exitCode).toBeNull();
    expect(readJobGroups(dir).records).toEqual([]);
    expect(sweep.notes.get("t-reused")).toContain(`job group ${p.pid} not signalled at recovery`);
  });

  test("a group whose leader is gone and whose members are older than the job is never signalled", async () => {
    const { dir, db } = home();
    const sh = bystander(["sh", "-c", "sleep 300 >/dev/null & echo $!"]);
    const member = Number((await new Response(sh.stdout).text()).trim());
    await sh.exited;
    const memberStart = startTimeOf(member);
    const later = String(BigInt(memberStart) + 100n);
    writeRecord(dir, { tick: "t-older", pgid: sh.pid, pid: sh.pid, start: later });
    const sweep = reapOrphanJobs(db, dir, process.pid, () => true, 200);
    expect(sweep.jobs.map((j) => j.outcome.kind)).toEqual(["reused"]);
    expect(running(member, memberStart)).toBe(true);
  });

  test("a group whose leader is gone but whose members started after it is ended, member by member", async () => {
    const { dir, db } = home();
    const sh = bystander(["sh", "-c", "sleep 300 >/dev/null & echo $!"]);
    const leaderStart = startTimeOf(sh.pid);
    const member = Number((await new Response(sh.stdout).text()).trim());
    await sh.exited;
    const memberStart = startTimeOf(member);
    writeRecord(dir, { tick: "t-members", pgid: sh.pid, pid: sh.pid, start: leaderStart });
    const sweep = reapOrphanJobs(db, dir, process.pid, () => true, 1000);
    expect(sweep.jobs.map((j) => j.outcome)).toEqual([
      { kind: "ended", pgid: sh.pid, pids: [member], forced: false },
    ]);
    expect(running(member, memberStart)).toBe(false);
    expect(readJobGroups(dir).records).toEqual([]);
  });

  test("a group recorded on another host is left alone, its record kept", () => {
    const { dir, db } = home();
    const p = bystander();
    const start = startTimeOf(p.pid);
    writeRecord(dir, { tick: "t-elsewhere", pgid: p.pid, pid: p.pid, start, host: "another-host" });
    const sweep = reapOrphanJobs(db, dir, process.pid, () => true, 200);
    expect(sweep.jobs.map((j) => j.outcome.kind)).toEqual(["elsewhere"]);
    expect(running(p.pid, start)).toBe(true);
    expect(readJobGroups(dir).records.map((r) => r.tick)).toEqual(["t-elsewhere"]);
  });

  test("the job of a tick still running in a live afk is not touched", () => {
    const { dir, db } = home();
    const p = bystander();
    const start = startTimeOf(p.pid);
    db.run(
      `INSERT INTO ticks (id, slot, trigger, status, day, started_at, pid, version, spec_hash, spec_origin, trace_path)
       VALUES ('t-live', '2026-11-24T07:00:00.000Z', 'schedule', 'running', '2026-11-24', '2026-11-24T07:00:00.000Z', ?, 'v', 'h', 'o', 'runs/2026-11-24/trace.jsonl')`,
      [process.pid],
    );
    writeRecord(dir, { tick: "t-live", pgid: p.pid, pid: p.pid, start });
    const sweep = reapOrphanJobs(db, dir, 1, () => false, 200);
    expect(sweep.jobs).toEqual([]);
    expect(running(p.pid, start)).toBe(true);
    expect(readJobGroups(dir).records.map((r) => r.tick)).toEqual(["t-live"]);
  });

  test("a gone group and an unreadable record are cleared without a signal, each said once", async () => {
    const { dir, db } = home();
    const p = bystander();
    const start = startTimeOf(p.pid);
    process.kill(p.pid, "SIGKILL");
    await p.exited;
    writeRecord(dir, { tick: "t-gone", pgid: p.pid, pid: p.pid, start });
    writeFileSync(join(jobGroupDir(dir), "t-bad.json"), "{not json");
    const sweep = reapOrphanJobs(db, dir, process.pid, () => true, 200);
    expect(sweep.jobs.map((j) => j.outcome.kind)).toEqual(["gone"]);
    expect(existsSync(join(jobGroupDir(dir), "t-bad.json"))).toBe(false);
    expect(readJobGroups(dir)).toEqual({ records: [], bad: [] });
    const { deps, err } = testDeps(dir);
    reportOrphanJobs(sweep, dir, deps);
    expect(err).toEqual([
      `job group record ${join(jobGroupDir(dir), "t-bad.json")} did not parse: removed, nothing signalled`,
      `tick t-gone: job group ${p.pid} was already gone at recovery`,
    ]);
  });

  test("records that cannot be read are a warning, not a failed start", () => {
    const { dir, db } = home();
    mkdirSync(join(dir, "runs"), { recursive: true });
    writeFileSync(jobGroupDir(dir), "not a folder");
    const sweep = reapOrphanJobs(db, dir, process.pid, () => true, 200);
    expect(sweep.jobs).toEqual([]);
    expect(sweep.faults).toEqual([expect.stringContaining("job group records could not be read: ")]);
    const { deps, err } = testDeps(dir);
    reportOrphanJobs(sweep, dir, deps);
    expect(err).toEqual(sweep.faults);
  });
});
