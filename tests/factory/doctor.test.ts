import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeDoctorCommand } from "../../src/cli/commands/doctor.ts";
import { run } from "../../src/cli/run.ts";
import { systemClock } from "../../src/core/clock.ts";
import type { Deps } from "../../src/core/deps.ts";
import { type OllamaDouble, startOllamaDouble } from "../../src/evidence/doubles/ollama-double.ts";
import { checkClock } from "../../src/factory/doctor/host-checks.ts";
import type { ScheduleProbe } from "../../src/factory/doctor/schedule-check.ts";
import { closedPort, copyRepoSpec, tempDir } from "./helpers.ts";

/** `afk doctor` against a real loopback Ollama double; the spec names llama3.1:8b and qwen2.5:3b. */

const tmp = tempDir("afk-doctor-");
let ollama: OllamaDouble;
let spec: string;
/** The repo's spec without its extractive link: nothing delivers without Ollama. */
let ollamaOnly: string;
let home: string;
const unitFile = () => join(tmp.dir, "afk.service");
const probe = (crontab = ""): ScheduleProbe => ({
  unitPaths: [unitFile()],
  plistPaths: [join(tmp.dir, "dev.afk.serve.plist")],
  crontab: async () => crontab,
});

beforeAll(async () => {
  ollama = await startOllamaDouble({ models: ["llama3.1:8b"] });
  spec = copyRepoSpec(join(tmp.dir, "spec"));
  ollamaOnly = copyRepoSpec(join(tmp.dir, "ollama-only"), (t) =>
    t.replace("  - { id: extractive, kind: extractive }\n", ""),
  );
  home = join(tmp.dir, "home");
  mkdirSync(home);
  writeFileSync(unitFile(), "[Service]\n");
});
afterAll(async () => {
  await ollama.stop();
  tmp.cleanup();
});

async function doctor(opts: { env?: Record<string, string>; probe?: ScheduleProbe; spec?: string } = {}) {
  const out: string[] = [];
  const deps: Deps = {
    clock: systemClock,
    fetch: globalThis.fetch,
    env: {
      HOME: tmp.dir,
      AFK_HOME: home,
      AFK_KILL_FLAG: join(home, "afk.kill"),
      OLLAMA_HOST: ollama.url,
      AFK_STATUS_ADDR: "127.0.0.1:0",
      ...opts.env,
    },
    cwd: home,
    print: (l) => out.push(l),
    warn: (l) => out.push(l),
    pid: process.pid,
  };
  const code = await run(["doctor", "--spec", opts.spec ?? spec], deps, [
    makeDoctorCommand({ probe: opts.probe ?? probe(), ollamaTimeoutMs: 2_000 }),
  ]);
  return { code, text: out.join("\n") };
}

/** `doctor` with extra environment, everything else as in the green case. */
const doctorIn = (env: Record<string, string>) => doctor({ env });

describe("afk doctor", () => {
  test("a model not pulled: a warning with `ollama pull <model>` while the chain ends extractive (exit 0); FAIL when nothing else delivers", async () => {
    const r = await doctor();
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/ok {4}model llama3\.1:8b +pulled/);
    expect(r.text).toMatch(
      /warn {2}model qwen2\.5:3b +not pulled at http:\/\/127\.0\.0\.1:\d+; ticks still deliver: the chain ends in the extractive link extractive, which needs no model\n +fix: ollama pull qwen2\.5:3b/,
    );
    expect(r.text).toContain("doctor: all required checks passed (1 warning)");
    const strict = await doctor({ spec: ollamaOnly });
    expect(strict.code).toBe(1);
    expect(strict.text).toMatch(
      /FAIL {2}model qwen2\.5:3b +not pulled at http:\/\/127\.0\.0\.1:\d+\n +fix: ollama pull qwen2\.5:3b/,
    );
    expect(strict.text).toContain("doctor: 1 required check failed");
    expect(ollama.requests.some((q) => q.method === "GET" && q.path === "/api/tags")).toBe(true);
  });

  test("every model pulled, home writable, ledger migrated, schedule found: exit 0", async () => {
    ollama.pull("qwen2.5:3b");
    const r = await doctor();
    expect(r.text).toContain("doctor: all required checks passed");
    expect(r.code).toBe(0);
    for (const name of ["spec", "home", "ledger", "clock", "kill flag", "ollama", "schedule"])
      expect(r.text).toMatch(new RegExp(`ok {4}${name} `));
    expect(r.text).toContain(`systemd unit ${unitFile()}`);
  });

  test("Ollama unreachable: a warning when the chain ends extractive, FAIL when nothing else delivers; both name the host, how to start it and pull the models", async () => {
    const host = `http://127.0.0.1:${closedPort()}`;
    const soft = await doctor({ env: { OLLAMA_HOST: host } });
    expect(soft.code).toBe(0);
    expect(soft.text).toMatch(/warn {2}ollama +not reachable/);
    expect(soft.text).toContain("ticks still deliver: the chain ends in the extractive link");
    const r = await doctor({ env: { OLLAMA_HOST: host }, spec: ollamaOnly });
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/FAIL {2}ollama /);
    expect(r.text).toContain(`not reachable at ${host} (the spec needs llama3.1:8b, qwen2.5:3b)`);
    expect(r.text).toContain("ollama pull llama3.1:8b && ollama pull qwen2.5:3b");
  });

  test("the status port really binds: free is ok; held by another process is FAIL naming its pid and the fix", async () => {
    const holder = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    try {
      const held = await doctor({ env: { AFK_STATUS_ADDR: `127.0.0.1:${holder.port}` } });
      expect(held.code).toBe(1);
      expect(held.text).toMatch(
        new RegExp(
          `FAIL {2}status page +127\\.0\\.0\\.1:${holder.port} cannot be bound: held by pid ${process.pid} \\(`,
        ),
      );
      expect(held.text).toContain(
        `fix: stop pid ${process.pid}, or set AFK_STATUS_ADDR=127.0.0.1:<free port> in`,
      );
    } finally {
      holder.stop(true);
    }
    const free = await doctor({ env: { AFK_STATUS_ADDR: `127.0.0.1:${closedPort()}` } });
    expect(free.text).toMatch(/ok {4}status page +serve binds 127\.0\.0\.1:\d+ \(free: bound and released\)/);
  });

  test("--preflight (a deploy before its swap) leaves the schedule out", async () => {
    const none: ScheduleProbe = { unitPaths: [], plistPaths: [], crontab: async () => "" };
    const out: string[] = [];
    const deps: Deps = {
      clock: systemClock,
      fetch: globalThis.fetch,
      env: {
        HOME: tmp.dir,
        AFK_HOME: home,
        AFK_KILL_FLAG: join(home, "afk.kill"),
        OLLAMA_HOST: ollama.url,
        AFK_STATUS_ADDR: "127.0.0.1:0",
      },
      cwd: home,
      print: (l) => out.push(l),
      warn: (l) => out.push(l),
      pid: process.pid,
    };
    const code = await run(["doctor", "--spec", spec, "--preflight"], deps, [
      makeDoctorCommand({ probe: none }),
    ]);
    expect(out.join("\n")).not.toContain("schedule");
    expect(code).toBe(0);
  });

  test("a paid link's key: missing is a FAIL with the env file fix; present is ok and never printed", async () => {
    const paid = copyRepoSpec(join(tmp.dir, "paid"), (t) =>
      t.replace(
        "  - { id: extractive, kind: extractive }",
        '  - { id: paid, kind: openai, base_url: "https://api.example.test/v1", model: "gpt-4o-mini", api_key_env: PAID_KEY, usd_per_mtok_in: 0.15, usd_per_mtok_out: 0.6 }\n  - { id: extractive, kind: extractive }',
      ),
    );
    const missing = await doctor({ spec: paid });
    expect(missing.code).toBe(1);
    expect(missing.text).toContain(`fix: add PAID_KEY=<key> to ${join(home, "afk.env")}`);
    const secret = "sk-very-secret-value-123";
    const present = await doctor({ spec: paid, env: { PAID_KEY: secret } });
    expect(present.code).toBe(0);
    expect(present.text).toMatch(/ok {4}key PAID_KEY +set for paid link paid/);
    expect(present.text).not.toContain(secret);
  });

  test("the kill flag raised is a warning (exit 0) with the command that lowers it", async () => {
    writeFileSync(join(home, "afk.kill"), "");
    try {
      const r = await doctor();
      expect(r.code).toBe(0);
      expect(r.text).toMatch(
        new RegExp(`warn  kill flag +present at ${join(home, "afk.kill")}: no tick will run`),
      );
      expect(r.text).toContain(`fix: rm ${join(home, "afk.kill")}`);
    } finally {
      rmSync(join(home, "afk.kill"));
    }
  });

  test("no schedule anywhere: FAIL with `afk install`; a crontab entry counts", async () => {
    const none: ScheduleProbe = {
      unitPaths: [join(tmp.dir, "none.service")],
      plistPaths: [],
      crontab: async () => "",
    };
    const r = await doctor({ probe: none });
    expect(r.code).toBe(1);
    expect(r.text).toContain("fix: afk install --systemd --apply");
    const line = `0 7 * * * cd ${home} && /opt/afk/afk tick --cron >> ${home}/afk-cron.log 2>&1`;
    const cron = await doctor({ probe: { ...none, crontab: async () => `# mine\n${line}\n` } });
    expect(cron.code).toBe(0);
    expect(cron.text).toContain(`crontab: ${line}`);
  });

  test("a missing AFK_HOME is a FAIL with the mkdir that fixes it", async () => {
    const gone = join(tmp.dir, "nowhere");
    const r = await doctor({ env: { AFK_HOME: gone } });
    expect(r.code).toBe(1);
    expect(r.text).toMatch(new RegExp(`FAIL  home +AFK_HOME ${gone} does not exist`));
    expect(r.text).toContain(`fix: mkdir -p ${gone}`);
  });
});

describe("doctor's clock check", () => {
  test.each([
    ["a clock before 2024", "2023-06-01T00:00:00Z", undefined, "fail"],
    ["a clock behind the ledger's last tick", "2026-11-24T07:00:00Z", "2026-11-24T09:00:00Z", "fail"],
    ["a clock a little behind (NTP step)", "2026-11-24T07:00:00Z", "2026-11-24T07:03:00Z", "ok"],
    ["a clock after the last tick", "2026-11-24T07:00:00Z", "2026-11-20T07:00:00Z", "ok"],
  ] as const)("%s → %s", (_name, now, last, state) => {
    expect(checkClock(new Date(now), last ? { ticks: 1, lastStartedAt: last } : undefined).state).toBe(state);
  });
});

describe("doctor's status page check", () => {
  test("binding beyond loopback without AFK_STATUS_TOKEN is a FAIL with the token fix; with a token it is ok", async () => {
    const open = await doctorIn({ AFK_STATUS_ADDR: "0.0.0.0:8787" });
    expect(open.code).toBe(1);
    expect(open.text).toMatch(
      /FAIL {2}status page +status page: refusing to bind 0\.0\.0\.0:8787 beyond loopback/,
    );
    expect(open.text).toContain("fix: add AFK_STATUS_TOKEN=$(openssl rand -hex 24) to");
    const token = "t0ken-that-must-not-print";
    // Port 0: the check does not bind beyond loopback on a fixed port of this shared machine.
    const withToken = await doctorIn({ AFK_STATUS_ADDR: "0.0.0.0:0", AFK_STATUS_TOKEN: token });
    expect(withToken.text).toMatch(/ok {4}status page +serve binds 0\.0\.0\.0 on a free port \(token set\)/);
    expect(withToken.text).not.toContain(token);
  });
});
