import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { VERSION } from "../../src/cli/version.ts";
import { sha256File } from "../../src/factory/compile.ts";
import { hostTarget } from "../../src/factory/targets.ts";
import { specHash } from "../../src/spec/load.ts";
import { build, closedPort, copyRepoSpec, gateFile, runBinary, tempDir, tickRows } from "./helpers.ts";

/** Factory: one real `afk build` shared by this file's tests, then the binary on its own. */

const tmp = tempDir("afk-build-");
afterAll(() => tmp.cleanup());
const target = hostTarget(process.platform, process.arch);
const home = join(tmp.dir, "home");
const specDir = join(tmp.dir, "spec");
let spec: string;
let first: Awaited<ReturnType<typeof build>>;

beforeAll(async () => {
  spec = copyRepoSpec(specDir);
  first = await build({ home, spec, gate: gateFile(tmp.dir, true) });
}, 60_000);

describe("afk build", () => {
  test("compiles dist/afk-<host target> and writes a record with spec hash, target, size and sha256", async () => {
    expect(first.err).toEqual([]);
    expect(first.code).toBe(0);
    const binary = join(home, "dist", `afk-${target}`);
    const record = readFileSync(first.record as string, "utf8");
    expect(first.record).toMatch(/runs\/build-\d{8}T\d{6}Z\.md$/);
    expect(record).toContain(`| spec hash | \`${specHash(readFileSync(spec, "utf8"))}\` |`);
    expect(record).toContain(`| target | ${target} |`);
    expect(record).toContain(`| size | ${statSync(binary).size} bytes`);
    expect(record).toContain(`| sha256 | \`${await sha256File(binary)}\` |`);
    expect(record).toContain("| seam tests | 1 pass, 0 fail");
    expect(record).toContain("First build: no previous spec to compare with.");
  });

  test("a spec change shows up as a diff in the next build record", async () => {
    writeFileSync(spec, readFileSync(spec, "utf8").replace("daily_cap_usd: 5.00", "daily_cap_usd: 3.00"));
    const second = await build({ home, spec, gate: gateFile(tmp.dir, true) });
    expect(second.code).toBe(0);
    const record = readFileSync(second.record as string, "utf8");
    expect(second.record).not.toBe(first.record);
    expect(record).toContain("```diff\n--- previous build");
    expect(record).toContain("\n-  daily_cap_usd: 5.00\n+  daily_cap_usd: 3.00\n");
    expect(record).not.toContain("usd_per_unit: 2.50\n-"); // unchanged lines are context, not changes
  }, 60_000);

  test("a failing seam test stops the build: no binary, exit 6, a record that says so", async () => {
    const redHome = join(tmp.dir, "red-home");
    const red = await build({ home: redHome, spec, gate: gateFile(tmp.dir, false) });
    expect(red.code).toBe(6);
    expect(red.err[0]).toContain("build refused: seam tests failed (0 pass, 1 fail");
    expect(existsSync(join(redHome, "dist"))).toBe(false);
    const record = readFileSync(red.record as string, "utf8");
    expect(record).toContain("**Refused: the seam tests failed, so no binary was made.**");
    expect(record).toContain("(fail) a seam that is red");
    expect(existsSync(join(redHome, "runs", "build-last-spec.md"))).toBe(false);
  });

  test("the real seam gate refuses to start inside a seam gate (a seam test that builds cannot recurse)", async () => {
    const r = await build({
      home: join(tmp.dir, "nested"),
      spec,
      gate: undefined,
      env: { AFK_BUILD_GATE: "1" },
    });
    expect(r.code).toBe(6);
    expect(r.err).toEqual([
      "build: refusing to run the seam gate inside a seam gate (AFK_BUILD_GATE is set)",
    ]);
    expect(existsSync(join(tmp.dir, "nested"))).toBe(false);
  });

  test("an invalid spec stops the build before the gate runs (exit 2, field and line named)", async () => {
    const bad = join(tmp.dir, "bad");
    const badSpec = copyRepoSpec(bad, (t) => t.replace("daily_cap_usd: 5.00", "daily_cap_usd: -1"));
    const r = await build({ home: join(tmp.dir, "bad-home"), spec: badSpec, gate: gateFile(tmp.dir, false) });
    expect(r.code).toBe(2);
    expect(r.err.join("\n")).toMatch(/line 6: budget\.daily_cap_usd/);
    expect(existsSync(join(tmp.dir, "bad-home", "runs"))).toBe(false);
  });
});

describe("the binary, copied alone into an empty folder", () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = join(tmp.dir, "host");
    mkdirSync(dir);
    copyFileSync(join(home, "dist", `afk-${target}`), join(dir, "afk"));
    env = { OLLAMA_HOST: `http://127.0.0.1:${closedPort()}`, AFK_KILL_FLAG: join(dir, "afk.kill") };
  });

  test("ticks with no Ollama: the embedded feeds are recreated, extractive delivers, status degraded", async () => {
    expect(readdirSync(dir)).toEqual(["afk"]);
    const r = await runBinary(["./afk", "tick"], dir, env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tick \S+: degraded — /);
    expect(readdirSync(join(dir, "feeds")).sort()).toEqual([
      "bun-blog.atom",
      "ops-notes.json",
      "sqlite-news.xml",
    ]);
    const rows = tickRows(dir);
    expect(rows.map((row) => [row.status, row.model, row.spec_origin])).toEqual([
      ["degraded", "extractive", "embedded"],
    ]);
    expect(readdirSync(join(dir, "out"))).toHaveLength(1);
  });

  test("reports status (afk status) and the last tick's trace (afk trace)", async () => {
    const status = await runBinary(["./afk", "status"], dir, env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`spec infra-digest ${specHash(readFileSync(spec, "utf8"))} (embedded)`);
    expect(status.stdout).toMatch(/^last tick \S+: degraded .* model extractive/m);
    const trace = await runBinary(["./afk", "trace"], dir, env);
    expect(trace.code).toBe(0);
    expect(trace.stdout).toMatch(/^tick \S+ · degraded · manual · slot /);
    expect(trace.stdout).toContain("spec_origin=embedded");
  });

  test("status and --version print the same from a cold spec cache (validating) and a warm one (cached)", async () => {
    rmSync(join(dir, ".cache"), { recursive: true, force: true });
    const outputs = [];
    for (const warm of [false, true]) {
      // `afk ledger` opens the ledger for writing, as tick and serve do: that stores the spec.
      if (warm) expect((await runBinary(["./afk", "ledger"], dir, env)).code).toBe(0);
      expect(existsSync(join(dir, ".cache"))).toBe(warm);
      const status = await runBinary(["./afk", "status"], dir, env);
      const version = await runBinary(["./afk", "--version"], dir, env);
      expect([status.code, status.stderr, version.code, version.stderr]).toEqual([0, "", 0, ""]);
      outputs.push([status.stdout, version.stdout]);
    }
    expect(readdirSync(join(dir, ".cache", "afk"))).toHaveLength(1);
    expect(outputs[1]).toEqual(outputs[0] as string[]);
    expect(outputs[0]?.[1]).toBe(`afk ${VERSION} spec ${specHash(readFileSync(spec, "utf8"))} (embedded)\n`);
  });

  test("ignores a .env and a bunfig.toml in its folder: host config comes only from its environment", async () => {
    const other = join(tmp.dir, "stray");
    mkdirSync(other);
    copyFileSync(join(dir, "afk"), join(other, "afk"));
    writeFileSync(join(other, ".env"), "SPEND_CAP_USD=0.01\n");
    writeFileSync(join(other, "preload.ts"), 'console.log("PRELOADED");\n');
    writeFileSync(join(other, "bunfig.toml"), 'preload = ["./preload.ts"]\n');
    const r = await runBinary(["./afk", "status"], other, env);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("PRELOADED");
    expect(r.stdout).toMatch(/^cap: \$3\.00 left of \$3\.00 today \(spec\)$/m);
    const withEnv = await runBinary(["./afk", "status"], other, { ...env, SPEND_CAP_USD: "0.01" });
    expect(withEnv.stdout).toMatch(/^cap: \$0\.01 left of \$0\.01 today/m);
  });

  test("honours the kill flag: refuses to run, exit 0, nothing new written", async () => {
    writeFileSync(join(dir, "afk.kill"), "");
    const before = readdirSync(join(dir, "out"));
    const r = await runBinary(["./afk", "tick", "--force"], dir, env);
    expect(r.stdout + r.stderr).toContain("KILL flag present — refusing to run.");
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, "out"))).toEqual(before);
    expect(tickRows(dir).filter((row) => row.status === "degraded" || row.status === "ok")).toHaveLength(1);
  });
});

// scripts/deploy.sh is tested over a real sshd on loopback: tests/factory/deploy.test.ts.

const qemu = Bun.which("qemu-aarch64-static");
const arm64Libc = "/usr/aarch64-linux-gnu";
test.skipIf(!qemu || !existsSync(join(arm64Libc, "lib/ld-linux-aarch64.so.1")))(
  "the linux-arm64 binary prints its version under qemu (skipped without qemu-user-static and libc6-arm64-cross)",
  async () => {
    const armHome = join(tmp.dir, "arm-home");
    const r = await build({ home: armHome, spec, gate: gateFile(tmp.dir, true), target: "linux-arm64" });
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const binary = join(armHome, "dist", "afk-linux-arm64");
    const elf = readFileSync(binary).subarray(0, 20);
    expect(elf.readUInt16LE(18)).toBe(0xb7); // e_machine: EM_AARCH64
    const dir = join(tmp.dir, "arm-host");
    mkdirSync(dir);
    const v = await runBinary([qemu as string, binary, "--version"], dir, { QEMU_LD_PREFIX: arm64Libc });
    expect(v.stderr).toBe("");
    expect(v.stdout.trim()).toBe(`afk ${VERSION} spec ${specHash(readFileSync(spec, "utf8"))} (embedded)`);
  },
  120_000,
);
