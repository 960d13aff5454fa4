import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../src/ledger/db.ts";
import { planCatchUp } from "../../src/runner/catchup.ts";
import { isOverCap, wouldCrossCap } from "../../src/runner/guard.ts";
import { acquireTickLock, type LockHolder, readTickLock, releaseTickLock } from "../../src/runner/lock.ts";
import { pidAlive } from "../../src/runner/process.ts";
import { everySeconds } from "../../src/spec/slots.ts";
import { tempHome } from "../support/home.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

describe("the cap decision", () => {
  test.each([
    [0, 1_000_000, false],
    [999_999, 1_000_000, false],
    [1_000_000, 1_000_000, true],
    [999_000_000, 1_000_000, true],
  ])("spent %i µ$ against a cap of %i µ$ → over: %p", (spent, cap, over) => {
    expect(isOverCap(spent, cap)).toBe(over);
  });

  test.each([
    [0, 0, 10, false], // no paid link: nothing can cross
    [0, 11, 10, true], // one tick's worst case alone is above the cap
    [5, 5, 10, false], // lands exactly on the cap
    [6, 5, 10, true],
  ])("spent %i + worst case %i against cap %i → halt before starting: %p", (spent, worst, cap, halt) => {
    expect(wouldCrossCap(spent, worst, cap)).toBe(halt);
  });
});

describe("loop-mode slots (TICK_SECONDS)", () => {
  test("sit on multiples of the interval, so two processes agree on a slot", () => {
    const s = everySeconds(5);
    const now = new Date("2026-11-24T07:00:07.300Z");
    expect(s.latest(now).toISOString()).toBe("2026-11-24T07:00:05.000Z");
    expect(s.next(now)?.toISOString()).toBe("2026-11-24T07:00:10.000Z");
    expect(s.next(new Date("2026-11-24T07:00:10.000Z"))?.toISOString()).toBe("2026-11-24T07:00:15.000Z");
    expect(
      s
        .between(new Date("2026-11-24T07:00:00Z"), new Date("2026-11-24T07:00:12Z"), 100)
        .map((d) => d.getUTCSeconds()),
    ).toEqual([5, 10]);
  });
});

describe("the catch-up decision", () => {
  const hourly = everySeconds(3600);
  const now = new Date("2026-11-24T11:20:00Z");
  const base = { schedule: hourly, now, catchUpHours: 12 };

  test("a fresh ledger: the latest slot runs, nothing else counts as missed", () => {
    const plan = planCatchUp({ ...base, lastSeenSlot: null, delivered: () => false });
    expect(plan?.slot.toISOString()).toBe("2026-11-24T11:00:00.000Z");
    expect(plan?.missedCount).toBe(1);
  });

  test("the latest slot already delivered: no catch-up", () => {
    expect(
      planCatchUp({ ...base, lastSeenSlot: new Date("2026-11-24T11:00:00Z"), delivered: () => true }),
    ).toBeNull();
  });

  test("its row crashed: the same slot runs again, once", () => {
    const plan = planCatchUp({
      ...base,
      lastSeenSlot: new Date("2026-11-24T11:00:00Z"),
      delivered: () => false,
    });
    expect(plan?.slot.toISOString()).toBe("2026-11-24T11:00:00.000Z");
    expect(plan?.missedCount).toBe(1);
  });

  test("the latest slot is older than catch_up_hours, or catch-up is off: nothing runs", () => {
    expect(
      planCatchUp({ ...base, catchUpHours: 0.25, lastSeenSlot: null, delivered: () => false }),
    ).toBeNull();
    expect(planCatchUp({ ...base, catchUpHours: 0, lastSeenSlot: null, delivered: () => false })).toBeNull();
  });

  test("down for days: the missed slots are counted only within the window", () => {
    const plan = planCatchUp({
      ...base,
      catchUpHours: 3,
      lastSeenSlot: new Date("2026-11-20T07:00:00Z"),
      delivered: () => false,
    });
    expect(plan?.missed.map((d) => d.getUTCHours())).toEqual([9, 10, 11]);
  });
});

describe("the tick lock", () => {
  function db() {
    const h = tempHome("afk-lock-");
    const d = openDatabase(join(h.dir, "ledger.sqlite"));
    cleanups.push(h.cleanup, () => d.close());
    return d;
  }
  const holder = (pid: number, session: string, tickId: string): LockHolder => ({
    pid,
    session,
    tickId,
    slot: "s",
  });
  const now = new Date("2026-11-24T07:00:00Z");
  const opts = (alive: number[], at = now) => ({
    now: at,
    isAlive: (p: number) => alive.includes(p),
    staleAfterMs: 60_000,
  });

  test("a live holder wins; the second caller is told who holds it", () => {
    const d = db();
    expect(acquireTickLock(d, holder(10, "a", "t1"), opts([10, 20])).ok).toBe(true);
    const second = acquireTickLock(d, holder(20, "b", "t2"), opts([10, 20]));
    expect(second).toEqual({ ok: false, holder: expect.objectContaining({ pid: 10, tick_id: "t1" }) });
  });

  test("a dead holder's lock is taken over", () => {
    const d = db();
    acquireTickLock(d, holder(10, "a", "t1"), opts([10]));
    const r = acquireTickLock(d, holder(20, "b", "t2"), opts([20]));
    expect(r.ok && r.stolenFrom?.pid).toBe(10);
    expect(readTickLock(d)?.tick_id).toBe("t2");
  });

  test("the same pid in a later process (pid reuse after a crash) does not block itself", () => {
    const d = db();
    acquireTickLock(d, holder(10, "old", "t1"), opts([10]));
    expect(acquireTickLock(d, holder(10, "new", "t2"), opts([10])).ok).toBe(true);
    expect(acquireTickLock(d, holder(10, "new", "t3"), opts([10])).ok).toBe(false);
  });

  test("a holder older than the longest tick is stale even if its pid lives (reused by another program)", () => {
    const d = db();
    acquireTickLock(d, holder(10, "a", "t1"), opts([10]));
    expect(
      acquireTickLock(d, holder(20, "b", "t2"), opts([10, 20], new Date(now.getTime() + 61_000))).ok,
    ).toBe(true);
  });

  test("release frees it only for the tick that holds it", () => {
    const d = db();
    acquireTickLock(d, holder(10, "a", "t1"), opts([10]));
    releaseTickLock(d, holder(10, "a", "t-other"));
    expect(readTickLock(d)?.tick_id).toBe("t1");
    releaseTickLock(d, holder(10, "a", "t1"));
    expect(readTickLock(d)).toBeNull();
  });
});

describe("pidAlive", () => {
  test("a zombie (exited, never reaped) answers signal 0 but is not alive", async () => {
    // The forked child exits at once; its parent sleeps and never reaps it. (A shell could reap
    // it before `exec sleep`, under load, and the pid would be gone instead of a zombie.)
    const parent = Bun.spawn(
      ["perl", "-e", '$| = 1; my $p = fork; exit 0 unless $p; print "$p\\n"; sleep 30'],
      {
        stdout: "pipe",
      },
    );
    cleanups.push(() => parent.kill("SIGKILL"));
    const { value } = await parent.stdout.getReader().read();
    const zombie = Number(new TextDecoder().decode(value).trim());
    const isZombie = () => readFileSync(`/proc/${zombie}/stat`, "utf8").includes(") Z ");
    for (let i = 0; i < 200 && !isZombie(); i++) await Bun.sleep(5); // bounded: until the kernel marks it
    expect(isZombie()).toBe(true);
    expect(() => process.kill(zombie, 0)).not.toThrow();
    expect(pidAlive(zombie)).toBe(false);
    expect(pidAlive(parent.pid)).toBe(true);
  });
});
