import { Database } from "bun:sqlite";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeBuildCommand } from "../../src/cli/commands/build.ts";
import { run } from "../../src/cli/run.ts";
import { systemClock } from "../../src/core/clock.ts";
import type { Deps } from "../../src/core/deps.ts";
import { runAfk } from "../../src/evidence/afk-child.ts";
import type { TickRow } from "../../src/ledger/ticks.ts";

export const REPO = join(import.meta.dir, "..", "..");

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A copy of the repo's SPEC.md and its sample feeds in `dir`, with `edit` applied to the text. */
export function copyRepoSpec(dir: string, edit: (text: string) => string = (t) => t): string {
  mkdirSync(dir, { recursive: true });
  cpSync(join(REPO, "spec/feeds"), join(dir, "feeds"), { recursive: true });
  const path = join(dir, "SPEC.md");
  writeFileSync(path, edit(readFileSync(join(REPO, "spec/SPEC.md"), "utf8")));
  return path;
}

/** A one-test gate file that passes or fails; the gate command runs it with this bun. */
export function gateFile(dir: string, passes: boolean): readonly string[] {
  const path = join(dir, passes ? "gate-green.test.ts" : "gate-red.test.ts");
  writeFileSync(
    path,
    [
      'import { expect, test } from "bun:test";',
      `test("a seam that is ${passes ? "green" : "red"}", () => expect(${passes ? 1 : 2}).toBe(1));`,
      "",
    ].join("\n"),
  );
  return [process.execPath, "test", path];
}

/** Runs `afk build` in-process with an injected gate, dist/ and runs/ under `home`. */
export async function build(opts: {
  home: string;
  spec: string;
  /** The injected gate; `undefined` uses the real seam gate (only for tests that stop before it). */
  gate: readonly string[] | undefined;
  target?: string;
  env?: Record<string, string>;
}) {
  const out: string[] = [];
  const err: string[] = [];
  const deps: Deps = {
    clock: systemClock,
    fetch: globalThis.fetch,
    env: { ...process.env, AFK_HOME: opts.home, ...opts.env },
    cwd: REPO,
    print: (l) => out.push(l),
    warn: (l) => err.push(l),
    pid: process.pid,
  };
  const argv = ["build", "--spec", opts.spec, ...(opts.target ? ["--target", opts.target] : [])];
  const code = await run(argv, deps, [makeBuildCommand(opts.gate ? { gate: opts.gate } : {})]);
  const record = [...out, ...err].find((l) => l.startsWith("record: "))?.slice("record: ".length);
  return { code, out, err, record };
}

/** A loopback port nothing listens on: bind one, then free it. */
export function closedPort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = s.port as number;
  s.stop(true);
  return port;
}

/** Runs a built binary to exit with a minimal environment (as cron would), cwd = `cwd`. */
export async function runBinary(
  argv: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const [bin = "", ...args] = argv;
  const r = await runAfk(args, { launcher: [bin], cwd, env: { PATH: "/usr/bin:/bin", HOME: cwd, ...env } });
  return { code: r.code, stdout: r.out, stderr: r.err };
}

export function tickRows(home: string): TickRow[] {
  const db = new Database(join(home, "ledger.sqlite"), { readonly: true });
  try {
    return db.query<TickRow, []>("SELECT * FROM ticks ORDER BY started_at, rowid").all();
  } finally {
    db.close();
  }
}
