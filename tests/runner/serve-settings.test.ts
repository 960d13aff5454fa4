/**
 * The README's "Running it unattended": serve started with its own environment
 * (`SPEND_CAP_USD=99 TICK_SECONDS=5 bun run afk serve &`, or a unit's env file), then
 * `afk status`, `afk kill` and `afk arm` typed in a shell that has none of it. They act on what
 * the serve runs by — its cap, rhythm and kill flag, from afk.pid — not on this shell's defaults.
 */
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/run.ts";
import { startAfk } from "../../src/evidence/afk-child.ts";
import type { StatusSnapshot } from "../../src/status/snapshot-view.ts";
import { sampleSources, tempHome, testDeps, writeSpec } from "../support/home.ts";
import { childEnv } from "./helpers.ts";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

test("status, kill and arm from a shell without serve's environment act on the serve's cap, rhythm and kill flag", async () => {
  const h = tempHome("afk-settings-");
  cleanups.push(h.cleanup);
  const spec = writeSpec(h.dir, { sources: sampleSources(h.dir) });
  const serveFlag = join(h.dir, "state", "afk.kill");
  mkdirSync(join(h.dir, "state"));
  const serveEnv = childEnv(h.dir, { SPEND_CAP_USD: "99", TICK_SECONDS: "3600", AFK_KILL_FLAG: serveFlag });
  const start = () => {
    const s = startAfk(["serve", "--spec", spec], { env: serveEnv });
    cleanups.push(s.killTree);
    return s;
  };
  // This shell: the same home, nothing else (the kill flag would default to ~/afk.kill).
  const shell = () => testDeps(h.dir, { AFK_KILL_FLAG: undefined });

  const serve = start();
  await serve.out.waitFor(/^status page: /);
  const s = shell();
  expect(await run(["status", "--json", "--spec", spec], s.deps)).toBe(0);
  const snap = JSON.parse(s.out.join("\n")) as StatusSnapshot;
  expect(snap.serve).toMatchObject({ running: true, pid: serve.pid });
  expect(snap.cap).toMatchObject({ cap_usd: 99, source: "SPEND_CAP_USD" });
  expect(snap.spec.cadence).toBe("every 3600s (TICK_SECONDS)");
  expect(snap.next_run.from).toBe("tick_seconds");
  expect(snap.kill).toEqual({ flag: serveFlag, present: false });

  const k = shell();
  expect(await run(["kill"], k.deps)).toBe(0);
  expect(k.out.join("\n")).toContain(
    `kill flag created: ${serveFlag} (the one the runner of ${h.dir} watches: its AFK_KILL_FLAG)`,
  );
  expect(existsSync(serveFlag)).toBe(true);
  expect(existsSync(join(h.dir, "afk.kill"))).toBe(true);
  expect(await serve.exited).toBe(0);

  // As a supervisor restarts it: back up, stopped by its own flag; arm from the bare shell resumes it.
  const again = start();
  await again.out.waitFor(/^status page: /);
  const verdict = async () => {
    const v = shell();
    expect(await run(["status", "--json", "--spec", spec], v.deps)).toBe(0);
    return (JSON.parse(v.out.join("\n")) as StatusSnapshot).verdict.verdict;
  };
  expect(await verdict()).toBe("stopped");
  const a = shell();
  expect(await run(["arm"], a.deps)).toBe(0);
  expect(a.out.join("\n")).toContain(
    `kill flag removed: ${serveFlag} (the one the runner of ${h.dir} watches: its AFK_KILL_FLAG)`,
  );
  expect(existsSync(serveFlag)).toBe(false);
  expect(await verdict()).not.toBe("stopped");
  again.kill("SIGTERM");
  expect(await again.exited).toBe(0);
}, 60_000);

test("cron mode: status, kill and arm from a bare shell act on the flag and cap the cron line's afk tick --cron ran with", async () => {
  const h = tempHome("afk-settings-cron-");
  cleanups.push(h.cleanup);
  const spec = writeSpec(h.dir, { sources: sampleSources(h.dir) });
  const cronFlag = join(h.dir, "state", "afk.kill");
  mkdirSync(join(h.dir, "state"));
  // The cron line: its env file loaded (ops/cron/afk.crontab), `afk tick --cron`.
  const cronTick = async () => {
    const c = testDeps(h.dir, {
      AFK_KILL_FLAG: cronFlag,
      SPEND_CAP_USD: "7",
      OLLAMA_HOST: "http://127.0.0.1:9",
    });
    const code = await run(["tick", "--cron", "--force", "--spec", spec], c.deps);
    return { code, out: c.out.join("\n") };
  };
  const shell = () => testDeps(h.dir, { AFK_KILL_FLAG: undefined });
  expect((await cronTick()).code).toBe(0);

  const s = shell();
  expect(await run(["status", "--json", "--spec", spec], s.deps)).toBe(0);
  const snap = JSON.parse(s.out.join("\n")) as StatusSnapshot;
  expect(snap.cap).toMatchObject({ cap_usd: 7, source: "SPEND_CAP_USD" });
  expect(snap.kill).toEqual({ flag: cronFlag, present: false });

  const k = shell();
  expect(await run(["kill"], k.deps)).toBe(0);
  expect(k.out.join("\n")).toContain(
    `kill flag created: ${cronFlag} (the one the runner of ${h.dir} watches`,
  );
  const refused = await cronTick();
  expect(refused.code).toBe(0);
  expect(refused.out).toContain("refused_kill");

  const a = shell();
  expect(await run(["arm"], a.deps)).toBe(0);
  expect(existsSync(cronFlag)).toBe(false);
  expect((await cronTick()).out).not.toContain("refused_kill");
});

test("a recorded flag outside AFK_HOME and not named afk.kill is never created or removed from a bare shell (the record is only a file in the home)", async () => {
  const h = tempHome("afk-settings-guard-");
  const elsewhere = tempHome("afk-settings-elsewhere-");
  cleanups.push(h.cleanup, elsewhere.cleanup);
  const victim = join(elsewhere.dir, "nologin");
  const record = { kill_flag: victim, cap_micros: 1_000_000, cap_source: "spec", tick_seconds: null };
  writeFileSync(join(h.dir, "afk.cron.json"), JSON.stringify(record));
  const shell = () => testDeps(h.dir, { AFK_KILL_FLAG: undefined });
  const k = shell();
  expect(await run(["kill"], k.deps)).toBe(0);
  expect(existsSync(victim)).toBe(false);
  expect(k.err).toEqual([
    `the runner of ${h.dir} recorded the kill flag ${victim}, outside AFK_HOME and not named afk.kill: not created; run this with AFK_KILL_FLAG=${victim}`,
  ]);
  writeFileSync(victim, "someone's file\n");
  const a = shell();
  expect(await run(["arm"], a.deps)).toBe(0);
  expect(existsSync(victim)).toBe(true);
  expect(a.err.join("\n")).toContain("not removed");
});
