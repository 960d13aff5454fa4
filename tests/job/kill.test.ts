/**
 * Kill and time for a job on real `afk` processes: SIGTERM to serve, `afk kill`, the kill flag
 * alone and `limits.max_tick_seconds` each end the job's whole process group — a grandchild
 * that ignores SIGTERM too — within 5 s, and the tick's row says `killed` or `timeout`.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startAfk } from "../../src/evidence/afk-child.ts";
import { isGoneOrZombie } from "../../src/job/process.ts";
import { childEnv, processTree, ticksIn } from "../runner/helpers.ts";
import { tempHome } from "../support/home.ts";
import { fileText } from "../support/poll.ts";
import { writeJobSpec } from "./helpers.ts";

const EXIT_BUDGET_MS = 5000;
/** Each test starts real afk processes (about a second each on a loaded machine). */
const ROOM_MS = 30_000;
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A job that leaves a grandchild ignoring SIGTERM and itself ignores SIGTERM, then waits forever. */
const STUBBORN = [
  "(trap '' TERM; exec sleep 300) &",
  "echo $! > grandchild.pid",
  "trap '' TERM",
  "sleep 300",
].join("\n");

function setup(extra?: string) {
  const h = tempHome("afk-job-kill-");
  cleanups.push(h.cleanup);
  const spec = writeJobSpec(h.dir, {
    run: ["sh", "-c", STUBBORN],
    cadence: "0 * * * *",
    ...(extra ? { extra } : {}),
  });
  return { dir: h.dir, spec, env: childEnv(h.dir, { TICK_SECONDS: "3600" }) };
}

function spawnAfk(s: ReturnType<typeof setup>, args: string[]) {
  const proc = startAfk([...args, "--spec", s.spec], { env: s.env });
  cleanups.push(proc.killTree);
  return { proc, out: proc.out };
}

/** The grandchild's pid once the job has written it. */
async function grandchildOf(dir: string): Promise<number> {
  return Number(await fileText(join(dir, "grandchild.pid")));
}

/** Waits (bounded by the budget) until every pid is gone or a zombie; returns those still running. */
async function survivors(pids: number[], t0: number): Promise<number[]> {
  let left = pids.filter((p) => !isGoneOrZombie(p));
  while (left.length > 0 && performance.now() - t0 < EXIT_BUDGET_MS) {
    await Bun.sleep(20);
    left = left.filter((p) => !isGoneOrZombie(p));
  }
  return left;
}

describe("a job under afk serve is ended with its whole process group", () => {
  test(
    "SIGTERM to serve: serve exits 0 within 5 s, the grandchild is gone, the row is killed",
    async () => {
      const s = setup();
      const { proc } = spawnAfk(s, ["serve"]);
      const grandchild = await grandchildOf(s.dir);
      const tree = processTree(proc.pid);
      expect(tree).toContain(grandchild);
      const t0 = performance.now();
      proc.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
      expect(await survivors([...tree, grandchild], t0)).toEqual([]);
      expect(performance.now() - t0).toBeLessThan(EXIT_BUDGET_MS);
      const rows = ticksIn(s.dir);
      expect(rows.map((r) => [r.status, r.reason])).toEqual([["killed", "stopped: SIGTERM"]]);
    },
    ROOM_MS,
  );

  test(
    "afk kill: the flag is made, serve is signalled, the job's group is gone, the row is killed",
    async () => {
      const s = setup();
      const { proc } = spawnAfk(s, ["serve"]);
      const grandchild = await grandchildOf(s.dir);
      const t0 = performance.now();
      const kill = startAfk(["kill"], { env: s.env, stdout: "ignore", stderr: "ignore" });
      expect(await kill.exited).toBe(0);
      expect(await proc.exited).toBe(0);
      expect(await survivors([grandchild], t0)).toEqual([]);
      expect(ticksIn(s.dir).map((r) => r.status)).toEqual(["killed"]);
    },
    ROOM_MS,
  );

  test(
    "the kill flag alone (no signal): the job is stopped mid-run within 5 s, its row killed; serve stays up, halted",
    async () => {
      const s = setup();
      const { proc, out } = spawnAfk(s, ["serve"]);
      const grandchild = await grandchildOf(s.dir);
      const t0 = performance.now();
      writeFileSync(join(s.dir, "afk.kill"), "");
      await out.waitFor(/^tick .*: killed/);
      expect(await survivors([grandchild], t0)).toEqual([]);
      expect(performance.now() - t0).toBeLessThan(EXIT_BUDGET_MS);
      const [row] = ticksIn(s.dir);
      expect(row?.status).toBe("killed");
      expect(row?.reason).toContain("kill flag");
      proc.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
    },
    ROOM_MS,
  );

  test(
    "limits.max_tick_seconds: afk tick ends the job as timeout (exit 1), nothing of it left",
    async () => {
      const s = setup("limits:\n  max_tick_seconds: 1");
      const { proc } = spawnAfk(s, ["tick"]);
      const grandchild = await grandchildOf(s.dir);
      const t0 = performance.now();
      expect(await proc.exited).toBe(1);
      expect(await survivors([grandchild], t0)).toEqual([]);
      const [row] = ticksIn(s.dir);
      expect([row?.status, row?.reason]).toEqual(["timeout", "tick ran past limits.max_tick_seconds (1s)"]);
    },
    ROOM_MS,
  );
});
