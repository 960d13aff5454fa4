import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runAfk } from "../../src/evidence/afk-child.ts";
import { REPO, sampleSources, tempHome, writeSpec } from "../support/home.ts";
import { servePage } from "./helpers.ts";

/**
 * The "done when", tried as a new user would: a real `afk serve` child, then
 * `afk status`, the page, /metrics through promtool, and POST /kill with and without the token.
 */

const SERVE = join(REPO, "src", "cli", "commands", "serve.ts");
const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("afk serve, as a new user", () => {
  test.skipIf(!existsSync(SERVE))(
    "status and the page agree; metrics pass promtool; three empty ticks raise ALERT.txt; only the token kills",
    async () => {
      const h = tempHome("afk-serve-e2e-");
      cleanups.push(h.cleanup);
      const spec = writeSpec(h.dir, {
        // more items than the feeds hold, and a required source that is not there: every tick
        // fails (with healthy sources alone it would only be quiet)
        sources: [...sampleSources(h.dir), { id: "gone", url: "feeds/gone.xml" }],
        minItems: 100,
        extra: "watchdog:\n  no_value_ticks: 3",
      });
      const env = {
        AFK_KILL_FLAG: join(h.dir, "afk.kill"),
        TICK_SECONDS: "1",
        AFK_STATUS_TOKEN: "e2e-token-31f",
      };
      const { child, port, base } = await servePage(h.dir, spec, env, cleanups);
      const out = child.out;
      expect(base).toBe(`http://127.0.0.1:${port}`);

      // three empty ticks → out/ALERT.txt. The runner prints a tick's line only after its
      // afterTick hook ran, so the third line means the watchdog has already decided.
      const alert = join(h.dir, "out", "ALERT.txt");
      await out.waitFor(/tick \S+ .*failed/, 3);
      expect(existsSync(alert)).toBe(true);
      expect(readFileSync(alert, "utf8")).toContain("ticks in a row (watchdog.no_value_ticks = 3)");

      // afk status (another process, while serve writes) and /status.json show the same truth
      const page = (await (await fetch(`${base}/status.json`)).json()) as Record<string, unknown>;
      const cli = await runAfk(["status", "--json", "--spec", spec], { cwd: h.dir, home: h.dir, env });
      expect(cli.code).toBe(0);
      const status = JSON.parse(cli.out) as Record<string, unknown>;
      for (const key of ["spec", "kill", "cap"]) expect(status[key]).toEqual(page[key]);
      expect((status.alert as { active: boolean }).active).toBe(true);
      expect((page.alert as { active: boolean }).active).toBe(true);
      expect((page.runner as { alive: boolean }).alive).toBe(true);
      const html = await (await fetch(base)).text();
      expect(html).toContain((status.last_tick as { trace_path: string }).trace_path);

      // /metrics through promtool (when installed)
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('afk_ticks_total{status="failed"}');
      const promtool = Bun.which("promtool");
      if (promtool) {
        const p = Bun.spawn([promtool, "check", "metrics"], {
          stdin: "pipe",
          stdout: "pipe",
          stderr: "pipe",
        });
        p.stdin.write(metrics);
        await p.stdin.end();
        expect(await p.exited).toBe(0);
      } else console.warn("SKIPPED promtool check: promtool not installed (apt-get install -y prometheus)");

      // an unauthorised kill changes nothing
      const denied = await fetch(`${base}/kill`, {
        method: "POST",
        headers: { Authorization: "Bearer wrong" },
      });
      expect(denied.status).toBe(401);
      expect(existsSync(env.AFK_KILL_FLAG)).toBe(false);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(child.exitCode).toBeNull();

      // the authorised one stops the runner and leaves the flag
      const killed = await fetch(`${base}/kill`, {
        method: "POST",
        headers: { Authorization: `Bearer ${env.AFK_STATUS_TOKEN}` },
      });
      expect(killed.status).toBe(202);
      expect(await child.exited).toBe(0);
      expect(existsSync(env.AFK_KILL_FLAG)).toBe(true);
      expect(out.lines.join("\n")).not.toContain(env.AFK_STATUS_TOKEN);
    },
    60_000,
  );
});
