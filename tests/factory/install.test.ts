import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { applySchedule } from "../../src/factory/install.ts";
import type { Layout } from "../../src/factory/schedule.ts";
import type { Spawn } from "../../src/factory/spawn.ts";
import { tempDir } from "./helpers.ts";

/** `afk install --systemd --apply` with systemctl replaced by a recorder (no systemd here to drive). */

const tmp = tempDir("afk-install-");
afterAll(() => tmp.cleanup());

function recorder(failOn?: string): { spawn: Spawn; calls: string[] } {
  const calls: string[] = [];
  const spawn: Spawn = async (cmd) => {
    calls.push(cmd.join(" "));
    const fails = failOn !== undefined && cmd.join(" ").includes(failOn);
    return {
      exitCode: fails ? 1 : 0,
      stdout: "",
      stderr: fails ? "Failed to restart afk.service: Unit afk.service has a bad setting." : "",
      ms: 1,
    };
  };
  return { spawn, calls };
}

const layout = (home: string): Layout => ({
  command: join(home, "afk"),
  home,
  envFile: join(home, "afk.env"),
  killFlag: join(home, "afk.kill"),
  user: "ops",
  cadence: "0 7 * * *",
});

describe("install --systemd --apply", () => {
  test("writes the unit and an env file from the example, then reloads, enables and restarts the service", async () => {
    const l = layout(join(tmp.dir, "a"));
    const unitPath = join(tmp.dir, "a.service");
    const r = recorder();
    const out: string[] = [];
    await applySchedule("systemd", l, {
      spawn: r.spawn,
      env: {},
      userHome: tmp.dir,
      print: (x) => out.push(x),
      unitPath,
    });
    expect(r.calls).toEqual([
      "systemctl daemon-reload",
      "systemctl enable afk.service",
      "systemctl restart afk.service",
    ]);
    expect(readFileSync(unitPath, "utf8")).toContain(`ExecStart=${l.command} serve`);
    const env = readFileSync(l.envFile, "utf8");
    expect(env).toContain(`AFK_KILL_FLAG=${l.killFlag}`);
    expect(statSync(l.envFile).mode & 0o777).toBe(0o640);
    expect(out[0]).toBe(`wrote ${l.envFile} from ops/afk.env.example (edit it: cap, Ollama, keys)`);
  });

  test("an existing env file is kept; a systemctl failure stops with its message (exit 5)", async () => {
    const l = layout(join(tmp.dir, "b"));
    mkdirSync(l.home, { recursive: true });
    writeFileSync(l.envFile, "SPEND_CAP_USD=0.5\n");
    const r = recorder("restart");
    const run = applySchedule("systemd", l, {
      spawn: r.spawn,
      env: {},
      userHome: tmp.dir,
      print: () => {},
      unitPath: join(tmp.dir, "b.service"),
    });
    await expect(run).rejects.toMatchObject({
      code: "io",
      message: expect.stringContaining(
        "systemctl restart afk.service exited 1: Failed to restart afk.service",
      ),
    });
    expect(readFileSync(l.envFile, "utf8")).toBe("SPEND_CAP_USD=0.5\n");
  });
});
