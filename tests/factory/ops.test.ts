import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { selfCommand } from "../../src/cli/commands/install.ts";
import { run } from "../../src/cli/run.ts";
import { ERROR_CODES } from "../../src/core/errors.ts";
import { readHostConfig } from "../../src/core/host.ts";
import { cronWake } from "../../src/factory/cron-zone.ts";
import { envFileText } from "../../src/factory/install.ts";
import { cronEntry, type Layout, renderSchedule, TEMPLATE_LAYOUT } from "../../src/factory/schedule.ts";
import { testDeps, writeSpec } from "../support/home.ts";
import { closedPort, REPO, runBinary, tempDir, tickRows } from "./helpers.ts";

/** ops/: the files a host runs afk with, checked by the tools that read them where those are installed. */

const tmp = tempDir("afk-ops-");
afterAll(() => tmp.cleanup());
const ops = (p: string) => readFileSync(join(REPO, "ops", p), "utf8");
const systemdAnalyze = Bun.which("systemd-analyze");
const shellcheck = Bun.which("shellcheck");

function layout(over: Partial<Layout> = {}): Layout {
  const home = join(tmp.dir, "home");
  return {
    command: join(tmp.dir, "afk"),
    home,
    envFile: join(tmp.dir, "afk.env"),
    killFlag: join(home, "afk.kill"),
    user: "afk",
    cadence: "30 6 * * 1-5",
    ...over,
  };
}

/** Lines systemd-analyze printed about this unit file (it exits 0 on unknown keys, so read them). */
async function verify(unitText: string): Promise<{ code: number; complaints: string[] }> {
  const path = join(tmp.dir, "afk.service");
  writeFileSync(path, unitText);
  const r = await runBinary([systemdAnalyze as string, "verify", path], tmp.dir);
  const complaints = `${r.stdout}\n${r.stderr}`.split("\n").filter((l) => l.includes("afk.service"));
  return { code: r.code, complaints };
}

describe("systemd unit", () => {
  test.each([
    ["restarts after any exit (back up stopped while the kill flag is there)", /^Restart=always$/m],
    [
      "never restarts a bad spec or environment (exit 2), and nothing else is exempt",
      new RegExp(`^RestartPreventExitStatus=${ERROR_CODES.usage}$`, "m"),
    ],
    ["bounds the stop", /^TimeoutStopSec=\d+s$/m],
    ["kills the whole control group", /^KillMode=control-group$/m],
    ["takes host config from an environment file", /^EnvironmentFile=\/etc\/afk\/afk\.env$/m],
    ["puts the kill flag in AFK_HOME", /^Environment=AFK_KILL_FLAG=\/var\/lib\/afk\/afk\.kill$/m],
    ["NoNewPrivileges", /^NoNewPrivileges=yes$/m],
    ["ProtectSystem=strict", /^ProtectSystem=strict$/m],
    ["writes only AFK_HOME", /^ReadWritePaths=\/var\/lib\/afk$/m],
    ["PrivateTmp", /^PrivateTmp=yes$/m],
    ["ProtectHome", /^ProtectHome=yes$/m],
    ["bounds memory", /^MemoryMax=\d+M$/m],
    ["runs afk serve", /^ExecStart=\/opt\/afk\/afk serve$/m],
  ] as const)("ops/systemd/afk.service %s", (_what, pattern) => {
    expect(ops("systemd/afk.service")).toMatch(pattern);
  });

  test.skipIf(!systemdAnalyze)(
    "systemd-analyze verify accepts the unit rendered for this host (skipped when systemd-analyze is not installed)",
    async () => {
      const l = layout();
      writeFileSync(l.command, "#!/bin/sh\n");
      chmodSync(l.command, 0o755);
      writeFileSync(l.envFile, envFileText(l));
      const unit = renderSchedule("systemd", l);
      expect(unit).toContain(`ExecStart=${l.command} serve`);
      expect(unit).toContain(`ReadWritePaths=${l.home}`);
      const r = await verify(unit);
      expect(r.complaints).toEqual([]);
      expect(r.code).toBe(0);
      // The check can fail: a misspelt key is reported.
      const bad = await verify(unit.replace("MemoryMax=", "MemoryMaks="));
      expect(bad.complaints.join("\n")).toContain("Unknown key 'MemoryMaks'");
    },
  );

  test("afk under /home: ProtectHome hides the other homes and binds AFK_HOME back", () => {
    const unit = renderSchedule(
      "systemd",
      layout({
        command: "/home/ops/afk/afk",
        home: "/home/ops/afk",
        killFlag: "/home/ops/afk/afk.kill",
        user: "ops",
      }),
    );
    expect(unit).toMatch(/^ProtectHome=tmpfs\nBindPaths=\/home\/ops\/afk$/m);
    expect(unit).not.toContain("ProtectHome=yes");
    expect(unit).toMatch(/^User=ops$/m);
  });
});

describe("cron", () => {
  test("the line uses the spec's cadence, absolute paths, cd into AFK_HOME, the env file and a log", () => {
    const l = layout();
    expect(cronEntry(l)).toBe(
      `30 6 * * 1-5 cd ${l.home} && set -a && . ${l.envFile} && set +a && ${l.command} tick --cron >> ${l.home}/afk-cron.log 2>&1`,
    );
    expect(cronEntry(TEMPLATE_LAYOUT)).toBe(ops("cron/afk.crontab").trim().split("\n").at(-1) as string);
  });

  test("the line ticks in cron's bare environment (env -i /bin/sh -c)", async () => {
    const l = layout({ command: selfCommand(), home: join(tmp.dir, "cron-home") });
    mkdirSync(l.home, { recursive: true });
    writeFileSync(
      l.envFile,
      envFileText(l).replace(/^OLLAMA_HOST=.*$/m, `OLLAMA_HOST=http://127.0.0.1:${closedPort()}`),
    );
    const command = cronEntry(l).split(" ").slice(5).join(" ");
    const r = await runBinary(["/usr/bin/env", "-i", "/bin/sh", "-c", command], "/");
    expect(r.stdout + r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(join(l.home, "afk-cron.log"), "utf8")).toMatch(/^tick \S+: degraded/);
    expect(tickRows(l.home).map((row) => [row.status, row.trigger])).toEqual([["degraded", "schedule"]]);
  });
});

describe("cron and the spec's time zone", () => {
  const jan = new Date("2026-01-10T00:00:00Z");
  test.each([
    ["0 7 * * *", "UTC", "UTC", "0 7 * * *", false],
    ["0 7 * * *", "Asia/Kolkata", "UTC", "30 1 * * *", true],
    ["0 7 * * *", "Europe/Berlin", "UTC", "0 5,6 * * *", true],
    // New York is 6 h behind Berlin, 5 h in the weeks their DST changes differ.
    ["30 6 * * 1-5", "America/New_York", "Europe/Berlin", "30 11,12 * * *", true],
    ["*/15 * * * *", "Europe/Berlin", "UTC", "0,15,30,45 * * * *", true],
  ] as const)("%s in %s on a host in %s wakes at %s (due check: %p)", (cadence, spec, host, pattern, due) => {
    expect(cronWake(cadence, spec, host, jan)).toEqual({ pattern, due });
  });

  test("the rendered line carries the host-zone wake and --due when the zones differ", () => {
    const l = layout({ cadence: "0 7 * * *", timezone: "Europe/Berlin", hostTimezone: "UTC" });
    expect(cronEntry(l)).toStartWith("0 5,6 * * * cd ");
    expect(cronEntry(l)).toContain(`${l.command} tick --cron --due >> `);
    expect(cronEntry(layout({ timezone: "UTC", hostTimezone: "UTC" }))).not.toContain("--due");
  });

  test("afk tick --cron --due ticks only when a slot is due in the spec's zone; other wakes write nothing", async () => {
    const home = join(tmp.dir, "due-home");
    mkdirSync(home, { recursive: true });
    const spec = writeSpec(home, {
      sources: [{ id: "local", url: "feeds/none.xml", optional: true }],
    });
    writeFileSync(spec, readFileSync(spec, "utf8").replace("timezone: UTC", "timezone: Europe/Berlin"));
    // 07:00 in Berlin is 06:00 UTC in January: the 05:00 UTC wake is not due, the 06:00 one is.
    const early = testDeps(home, {}, "2026-01-12T05:00:20Z");
    expect(await run(["tick", "--cron", "--due", "--spec", spec], early.deps)).toBe(0);
    expect(early.out.join("\n")).toContain('no slot of "0 7 * * *" (Europe/Berlin) is due');
    expect(existsSync(join(home, "ledger.sqlite")) ? tickRows(home) : []).toEqual([]);
    const onTime = testDeps(home, {}, "2026-01-12T06:00:20Z");
    await run(["tick", "--cron", "--due", "--spec", spec], onTime.deps);
    expect(tickRows(home).map((r) => [r.slot, r.trigger])).toEqual([
      ["2026-01-12T06:00:00.000Z", "schedule"],
    ]);
  });
});

describe("host configuration files", () => {
  test("the example env file reads as host configuration, and the kill flag lives in AFK_HOME", () => {
    const env = Object.fromEntries(
      ops("afk.env.example")
        .split("\n")
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    const host = readHostConfig(env, "/");
    expect(host.capUsd).toBe(1);
    expect(host.killFlag).toBe("/var/lib/afk/afk.kill");
    expect(host.ollamaHost).toBe("http://127.0.0.1:11434");
  });

  test("launchd loads the env file with sh and runs afk serve in AFK_HOME", () => {
    const l = layout();
    const plist = renderSchedule("launchd", l);
    expect(plist).toContain(`<string>set -a; . ${l.envFile}; set +a; exec ${l.command} serve</string>`);
    expect(plist).toContain(`<key>WorkingDirectory</key>\n  <string>${l.home}</string>`);
    // serve never exits at the cap or on the flag: any exit is restarted.
    expect(plist).toContain("<key>KeepAlive</key>\n  <true/>");
    // XML comments may not hold a double hyphen (a `--flag` would make the plist unreadable).
    const comments = [...plist.matchAll(/<!--([\s\S]*?)-->/g)].map((m) => m[1] as string);
    expect(comments).toHaveLength(1);
    expect(comments.filter((c) => c.includes("--"))).toEqual([]);
  });

  test("fly.toml keeps state on the volume, never idles the machine, and checks /healthz", () => {
    const fly = Bun.TOML.parse(ops("fly/fly.toml")) as {
      env: Record<string, string>;
      mounts: { destination: string };
      restart: { policy: string }[];
      http_service: { internal_port: number; auto_stop_machines: string; checks: { path: string }[] };
    };
    expect(fly.mounts.destination).toBe(fly.env.AFK_HOME as string);
    expect(fly.env.AFK_KILL_FLAG?.startsWith(`${fly.mounts.destination}/`)).toBe(true);
    expect(fly.http_service.auto_stop_machines).toBe("off");
    expect(fly.http_service.checks.map((c) => c.path)).toEqual(["/healthz"]);
    // Fly's default for deployed machines (on-fail) stops the machine after 10 tries; serve must
    // always come back, stopped while the flag is there, so `fly ssh console` can remove it.
    expect(fly.restart.map((r) => r.policy)).toEqual(["always"]);
    expect(fly.env.AFK_STATUS_ADDR).toBe(`0.0.0.0:${fly.http_service.internal_port}`);
    // The build context is the repo root: .dockerignore sends only the binary (not ~384 MB of
    // node_modules and both binaries). Measured here: what it lets through, besides the Dockerfile.
    const rules = readFileSync(join(REPO, ".dockerignore"), "utf8")
      .split("\n")
      .filter((l) => l.trim() && !l.startsWith("#"));
    expect(rules).toEqual(["*", "!dist/afk-linux-x64"]);
    const docker = ops("fly/Dockerfile");
    const copied = [...docker.matchAll(/^COPY (\S+) /gm)].map((m) => m[1]);
    expect(copied).toEqual(["dist/afk-linux-x64"]); // everything the image takes from the context
    expect(docker).toMatch(/^COPY dist\/afk-linux-x64 \/usr\/local\/bin\/afk$/m);
    expect(docker).toMatch(/^CMD \["serve"\]$/m);
  });
});

test.skipIf(!shellcheck)(
  "scripts/deploy.sh is shellcheck-clean (skipped when shellcheck is not installed)",
  async () => {
    const r = await runBinary([shellcheck as string, join(REPO, "scripts/deploy.sh")], REPO);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.code).toBe(0);
  },
);
