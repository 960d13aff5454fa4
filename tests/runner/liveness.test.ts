import type { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { parseArgs } from "../../src/cli/args.ts";
import { buildContext } from "../../src/cli/context.ts";
import { here, type ProcessIdentity, startTimeOf } from "../../src/core/identity.ts";
import { openDatabase } from "../../src/ledger/db.ts";
import { acquireTickLock } from "../../src/runner/lock.ts";
import { pidAlive } from "../../src/runner/process.ts";
import { acquireServeLease, SERVE_LEASE_STALE_MS } from "../../src/runner/serve-lease.ts";
import { sampleSources, tempHome, testDeps, writeSpec } from "../support/home.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A pid that ran and is gone (reaped), so a pid check says "dead". */
async function deadPid(): Promise<number> {
  const p = Bun.spawn(["true"]);
  await p.exited;
  return p.pid;
}

/** A session id as a process with this identity writes it (core/identity.ts newSession). */
function session(id: ProcessIdentity): string {
  return `${crypto.randomUUID()}@${[id.host, id.boot, id.ns, String(id.pid), id.start].map(encodeURIComponent).join("/")}`;
}

function ledger() {
  const h = tempHome("afk-liveness-");
  cleanups.push(h.cleanup);
  const db = openDatabase(join(h.dir, "ledger.sqlite"));
  cleanups.push(() => db.close());
  return { dir: h.dir, db };
}

const now = new Date("2026-11-24T07:00:00Z");
const opts = { now, isAlive: pidAlive, staleAfterMs: 60_000 };

function holdLock(db: Database, pid: number, s: string, tickId = "t-held") {
  db.run(
    "INSERT INTO runner_lock (name, pid, session, tick_id, slot, acquired_at) VALUES ('tick', ?, ?, ?, 'slot', ?)",
    [pid, s, tickId, now.toISOString()],
  );
}

describe("a holder is dead only when proven on this host, boot and PID namespace", () => {
  test("a tick lock held from another host (or boot) is not taken because its pid is not running here", async () => {
    const { db } = ledger();
    const pid = await deadPid();
    holdLock(db, pid, session({ ...here(), host: "container-7f3a", pid, start: "123" }));
    const me = { pid: process.pid, session: "me", tickId: "t-me", slot: "slot" };
    expect(acquireTickLock(db, me, opts).ok).toBe(false);
    db.run("UPDATE runner_lock SET session = ?", [
      session({ ...here(), boot: "another-boot", pid, start: "1" }),
    ]);
    expect(acquireTickLock(db, me, opts).ok).toBe(false);
    // Its age still bounds it: a holder older than the longest tick can be is gone wherever it ran.
    expect(acquireTickLock(db, me, { ...opts, now: new Date(now.getTime() + 61_000) }).ok).toBe(true);
  });

  test("here, a dead pid or a pid reused by a process started at another time is taken over", async () => {
    const { db } = ledger();
    const pid = await deadPid();
    holdLock(db, pid, session({ ...here(), pid, start: "123" }));
    const me = { pid: process.pid, session: "me", tickId: "t-me", slot: "slot" };
    expect(acquireTickLock(db, me, opts)).toMatchObject({ ok: true, stolenFrom: { pid } });
    db.run("DELETE FROM runner_lock");
    holdLock(db, process.pid, session({ ...here(), pid: process.pid, start: "1" })); // our pid, another start
    expect(acquireTickLock(db, { ...me, pid: 99 }, opts).ok).toBe(true);
    db.run("DELETE FROM runner_lock");
    holdLock(db, process.pid, session({ ...here(), pid: process.pid, start: startTimeOf(process.pid) }));
    expect(acquireTickLock(db, { ...me, pid: 99 }, opts).ok).toBe(false); // really alive
  });

  test("opening the ledger (afk status) leaves a running tick of another host alone; closes one of this host's that died", async () => {
    const { dir, db } = ledger();
    const pid = await deadPid();
    const row = (id: string) =>
      db.run(
        `INSERT INTO ticks (id, slot, trigger, status, day, started_at, pid, version, spec_hash, spec_origin)
         VALUES (?, 'slot', 'schedule', 'running', '2026-11-24', ?, ?, 'v', 'h', 'file:x')`,
        [id, now.toISOString(), pid],
      );
    row("t-container");
    holdLock(
      db,
      pid,
      session({ ...here(), host: "container-7f3a", ns: "pid:[4026532999]", pid, start: "9" }),
      "t-container",
    );
    const spec = writeSpec(dir, { sources: sampleSources(dir) });
    const t = testDeps(dir);
    const app = buildContext(parseArgs(["status", "--spec", spec]), t.deps);
    app.db();
    app.close();
    const status = (id: string) =>
      db.query<{ status: string }, [string]>("SELECT status FROM ticks WHERE id = ?").get(id)?.status;
    expect(status("t-container")).toBe("running");

    db.run("UPDATE runner_lock SET session = ?", [session({ ...here(), pid, start: "9" })]);
    buildContext(parseArgs(["status", "--spec", spec]), t.deps).db();
    expect(status("t-container")).toBe("crashed");
  });

  test("a serve lease held on another host is refused until its heartbeat is older than the lease", async () => {
    const { db } = ledger();
    const pid = await deadPid();
    db.run(
      "INSERT INTO runner_lock (name, pid, session, tick_id, slot, acquired_at) VALUES ('serve', ?, ?, '', '', ?)",
      [pid, session({ ...here(), host: "other-host", pid, start: "5" }), now.toISOString()],
    );
    expect(acquireServeLease(db, { pid: process.pid, session: "me", now }).ok).toBe(false);
    const later = new Date(now.getTime() + SERVE_LEASE_STALE_MS + 1000);
    expect(acquireServeLease(db, { pid: process.pid, session: "me", now: later }).ok).toBe(true);
  });
});
