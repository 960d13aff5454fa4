import { afterEach, describe, expect, test } from "bun:test";
import { run } from "../../src/cli/run.ts";
import { runAfk } from "../../src/evidence/afk-child.ts";
import { closeSession, openSession } from "../../src/runner/session.ts";
import type { StatusSnapshot } from "../../src/status/snapshot-view.ts";
import { sampleSources, tempHome, writeSpec } from "../support/home.ts";
import { haltedHome, type Scenario, stoppedHome } from "./scenarios.ts";

const DAY = 24 * 3_600_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function scenario(make: Promise<Scenario>): Promise<Scenario> {
  const s = await make;
  cleanups.push(s.cleanup);
  return s;
}

/** `afk status --json` and `afk status` from another process's view (no runner handle: the CLI). */
async function status(s: Scenario): Promise<{ snap: StatusSnapshot; text: string }> {
  const deps = { ...s.app.deps };
  const out: string[] = [];
  deps.print = (l) => out.push(l);
  expect(await run(["status", "--json", "--spec", s.spec], deps)).toBe(0);
  const snap = JSON.parse(out.join("\n")) as StatusSnapshot;
  out.length = 0;
  expect(await run(["status", "--spec", s.spec], deps)).toBe(0);
  return { snap, text: out.join("\n") };
}

const SERVE_ADVICE = "serve is not running: start it after";

describe("a home the cron line runs (afk tick --cron, no serve by design)", () => {
  test("stopped by the flag: afk arm, and the cron line ticks again by itself at the next slot — no advice to start serve", async () => {
    const s = await scenario(stoppedHome({ cron: true }));
    const { snap, text } = await status(s);
    expect(snap.verdict.verdict).toBe("stopped");
    expect(snap.verdict.resumes?.how).toBe(
      "afk arm removes the flag; the cron line ticks again by itself at the next slot (no serve needed)",
    );
    expect(snap.cron).toEqual({
      recorded_at: "2026-11-24T09:03:00.000Z",
      expected_slot: "2026-11-24T07:00:00.000Z",
      ticking: true,
    });
    // the keys status --json had before are all still there
    expect(snap.serve).toMatchObject({ running: false, pid: null });
    expect(snap).toHaveProperty("runner", null);
    expect(snap.kill.present).toBe(true);
    expect(text).not.toContain(SERVE_ADVICE);
    expect(text).toContain("serve: not running · cron line ticking (afk tick --cron last ran");
  });

  test("halted at the cap: by itself at the first slot of the cap's next day, which the cron line ticks", async () => {
    const s = await scenario(haltedHome({ cron: true }));
    const { snap, text } = await status(s);
    expect(snap.verdict.verdict).toBe("halted");
    expect(snap.verdict.resumes).toEqual({
      at: "2026-11-25T07:00:00.000Z",
      how: "by itself at the first slot of the cap's next day (UTC); a higher SPEND_CAP_USD resumes sooner; the cron line ticks that slot by itself (no serve needed)",
    });
    expect(snap.cron?.ticking).toBe(true);
    expect(text).not.toContain(SERVE_ADVICE);
  });

  test("a cron wake a few minutes late is not 'not running': the cron line has its lag before a slot counts as missed", async () => {
    const s = await scenario(stoppedHome({ cron: true }));
    expect(await run(["arm"], s.app.deps)).toBe(0);
    s.clock.advance(DAY - 2 * 3_600_000 - 3 * 60_000 + 5 * 60_000); // 07:05 the next day, its tick not recorded yet
    const { snap } = await status(s);
    expect(snap.kill.present).toBe(false);
    expect(snap.cron?.ticking).toBe(true);
    expect(snap.due).toEqual({ slot: "2026-11-25T07:00:00.000Z", handled: true });
    expect(snap.verdict.verdict).not.toBe("not running");
    expect(snap.verdict.verdict).not.toBe("failing");
  });
});

describe("a cron record that is stale: the cron line no longer ticks this home", () => {
  test("its crontab line removed two days ago, the flag still up: stopped, and nothing ticks — restore the cron line or start serve", async () => {
    const s = await scenario(stoppedHome({ cron: true }));
    s.clock.advance(2 * DAY);
    const { snap, text } = await status(s);
    expect(snap.verdict.verdict).toBe("stopped");
    expect(snap.cron).toEqual({
      recorded_at: "2026-11-24T09:03:00.000Z",
      expected_slot: "2026-11-26T07:00:00.000Z",
      ticking: false,
    });
    const how = snap.verdict.resumes?.how ?? "";
    expect(how).toStartWith(
      "afk arm removes the flag; nothing ticks this home now — serve is not running and ",
    );
    expect(how).toContain("the cron line (afk tick --cron) last ticked 2026-11-24 09:03");
    expect(how).toContain("has no tick since the slot due 2 h ago");
    expect(how).toEndWith("restore the cron line (crontab -l; afk install --cron) or start afk serve");
    expect(how).not.toContain("ticks again by itself");
    expect(text).toContain("cron line NOT ticking");
  });

  test("a home moved from cron to serve, and serve stopped since: not running, both facts, no promise of a cron tick", async () => {
    const s = await scenario(stoppedHome({ cron: true }));
    expect(await run(["arm"], s.app.deps)).toBe(0);
    const db = s.app.db();
    openSession(db, { session: "s-serve", pid: 4242, mode: "cron 0 7 * * *", at: s.clock.now() });
    s.clock.advance(DAY);
    closeSession(db, { session: "s-serve", at: s.clock.now(), reason: "stopped by systemctl", exitCode: 0 });
    s.clock.advance(DAY);
    const { snap } = await status(s);
    expect(snap.cron?.ticking).toBe(false);
    expect(snap.verdict.verdict).toBe("not running");
    const reasons = snap.verdict.reasons.map((r) => r.text);
    expect(reasons[0]).toContain("the cron line (afk tick --cron) last ticked 2026-11-24 09:03");
    expect(reasons[0]).toEndWith("is its crontab line still there?");
    expect(reasons.some((r) => r.startsWith("serve stopped ") && r.includes("stopped by systemctl"))).toBe(
      true,
    );
    expect(snap.verdict.resumes?.how).toBe(
      "restore the cron line (crontab -l; afk install --cron) or start afk serve (or its systemd unit)",
    );
  });
});

describe("end to end: a real afk tick --cron child, then afk status from a shell without the cron line's env", () => {
  test("the flag the cron line watches is up: status says stopped and that the cron line resumes by itself", async () => {
    const h = tempHome("afk-cron-home-");
    cleanups.push(h.cleanup);
    const spec = writeSpec(h.dir, { sources: sampleSources(h.dir) });
    const flag = `${h.dir}/cron.kill`;
    await Bun.write(flag, "stopped for the test\n");
    const tick = await runAfk(["tick", "--cron", "--spec", spec], {
      home: h.dir,
      env: { AFK_KILL_FLAG: flag },
    });
    expect(tick.code).toBe(0);
    expect(tick.out).toContain("refused_kill");
    // an operator's shell: no AFK_KILL_FLAG (its default ~/afk.kill is absent), no env file
    const st = await runAfk(["status", "--json", "--spec", spec], {
      home: h.dir,
      env: { AFK_KILL_FLAG: undefined },
    });
    expect(st.code).toBe(0);
    const snap = JSON.parse(st.out) as StatusSnapshot;
    expect(snap.kill).toEqual({ flag, present: true });
    expect(snap.cron?.ticking).toBe(true);
    expect(snap.verdict.verdict).toBe("stopped");
    expect(snap.verdict.resumes?.how).toContain("the cron line ticks again by itself at the next slot");
    expect(snap.verdict.resumes?.how).not.toContain(SERVE_ADVICE);
  }, 30_000);
});
