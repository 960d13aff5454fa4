import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { VERSION } from "../../src/cli/version.ts";
import { hostTarget } from "../../src/factory/targets.ts";
import { specHash } from "../../src/spec/load.ts";
import {
  build,
  closedPort,
  copyRepoSpec,
  gateFile,
  runBinary,
  tempDir,
  tickRows,
} from "../factory/helpers.ts";

/**
 * Seam 1 (factory ↔ system): the binary runs the spec it was built from. `afk --version` names the
 * version and spec hash, and every ledger row and trace carries both, so an incident links to its build.
 * The build's gate here is a one-test file: this file runs inside the real seam gate of `afk build`.
 */

const tmp = tempDir("afk-seam1-");
afterAll(() => tmp.cleanup());
const host = join(tmp.dir, "host");
let builtSpec: string;
let devSpec: string;
let env: Record<string, string>;

beforeAll(async () => {
  // A spec that differs from the repo's, so running the repo's spec by mistake would show.
  builtSpec = copyRepoSpec(join(tmp.dir, "built"), (t) =>
    t.replace("name: infra-digest", "name: seam-built"),
  );
  devSpec = copyRepoSpec(join(tmp.dir, "dev"), (t) => t.replace("name: infra-digest", "name: seam-dev"));
  const r = await build({ home: join(tmp.dir, "factory"), spec: builtSpec, gate: gateFile(tmp.dir, true) });
  if (r.code !== 0) throw new Error(`build failed: ${[...r.out, ...r.err].join("\n")}`);
  mkdirSync(host);
  const target = hostTarget(process.platform, process.arch);
  copyFileSync(join(tmp.dir, "factory", "dist", `afk-${target}`), join(host, "afk"));
  env = { OLLAMA_HOST: `http://127.0.0.1:${closedPort()}`, AFK_KILL_FLAG: join(host, "afk.kill") };
}, 60_000);

function rootSpan(home: string, tickId: string): Record<string, unknown> {
  const day = tickRows(home).find((r) => r.id === tickId)?.day as string;
  const records = readFileSync(join(home, "runs", day, "trace.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map(
      (l) =>
        JSON.parse(l) as {
          tick: string;
          name: string;
          parent: string | null;
          attrs: Record<string, unknown>;
        },
    );
  const root = records.find((r) => r.tick === tickId && r.name === "tick" && r.parent === null);
  if (!root) throw new Error(`no root span for ${tickId}`);
  return root.attrs;
}

describe("seam factory ↔ system", () => {
  test("afk --version prints the version and the hash of the spec it was built from", async () => {
    const r = await runBinary(["./afk", "--version"], host, env);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(
      `afk ${VERSION} spec ${specHash(readFileSync(builtSpec, "utf8"))} (embedded)`,
    );
    expect(readdirSync(host)).toEqual(["afk"]); // asking the version writes nothing
  });

  test("with no --spec the binary runs its embedded spec; the ledger row and the trace carry version and hash", async () => {
    const r = await runBinary(["./afk", "tick"], host, env);
    expect(r.code).toBe(0);
    const [row] = tickRows(host);
    const hash = specHash(readFileSync(builtSpec, "utf8"));
    expect(row).toMatchObject({ version: VERSION, spec_hash: hash, spec_origin: "embedded" });
    expect(row?.out_path).toMatch(/^out\/seam-built-/);
    expect(rootSpan(host, row?.id as string)).toMatchObject({
      version: VERSION,
      spec_hash: hash,
      spec_origin: "embedded",
    });
  });

  test("--spec still works for development and is recorded as a file origin", async () => {
    const v = await runBinary(["./afk", "--version", "--spec", devSpec], host, env);
    const hash = specHash(readFileSync(devSpec, "utf8"));
    expect(v.stdout.trim()).toBe(`afk ${VERSION} spec ${hash} (${devSpec})`);
    const devHome = join(tmp.dir, "dev-home");
    const r = await runBinary(["./afk", "tick", "--spec", devSpec], host, { ...env, AFK_HOME: devHome });
    expect(r.code).toBe(0);
    const [row] = tickRows(devHome);
    expect(row).toMatchObject({ version: VERSION, spec_hash: hash, spec_origin: `file:${devSpec}` });
    expect(row?.out_path).toMatch(/^out\/seam-dev-/);
    expect(rootSpan(devHome, row?.id as string)).toMatchObject({
      spec_hash: hash,
      spec_origin: `file:${devSpec}`,
    });
  });
});
