import { existsSync, mkdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Clock } from "../core/clock.ts";
import { AfkError } from "../core/errors.ts";
import { type LoadedSpec, loadSpecFile } from "../spec/load.ts";
import { type Compiled, compile } from "./compile.ts";
import { collectSpecFiles, defineArgs } from "./embed.ts";
import { type GateResult, runGate } from "./gate.ts";
import { writeRecord } from "./record.ts";
import type { Spawn } from "./spawn.ts";
import type { Target } from "./targets.ts";

/** The source tree `afk build` compiles (this file lives in src/factory/). */
export const SOURCE_ROOT = resolve(import.meta.dir, "../..");

export interface BuildRequest {
  specPath: string;
  target: Target;
  /** Where `dist/` and `runs/` go (AFK_HOME). */
  home: string;
  /** The seam gate command, run from the source tree; injectable so tests need not run the suite twice. */
  gate: readonly string[];
}

export interface BuildEnv {
  clock: Clock;
  spawn: Spawn;
  /** The bun executable that compiles. */
  bun: string;
  env: Readonly<Record<string, string | undefined>>;
  version: string;
  sourceRoot?: string;
  /** Progress lines for a person. */
  print: (line: string) => void;
}

export interface BuildResult {
  loaded: LoadedSpec;
  gate: GateResult;
  /** Unset when the gate refused the build. */
  binary: Compiled | undefined;
  record: string;
}

async function sourceCommit(spawn: Spawn, cwd: string, env: BuildEnv["env"]): Promise<string | undefined> {
  const head = await spawn(["git", "rev-parse", "--short=12", "HEAD"], { cwd, env: { ...env } }).catch(
    () => undefined,
  );
  if (head?.exitCode !== 0) return undefined;
  const dirty = await spawn(["git", "status", "--porcelain", "--untracked-files=no"], {
    cwd,
    env: { ...env },
  });
  return `${head.stdout.trim()}${dirty.stdout.trim() ? " (with uncommitted changes)" : ""}`;
}

/**
 * spec → validated, seam-tested, compiled binary with the spec embedded, plus a build record.
 * A red gate writes a record that says so and makes no binary.
 */
export async function buildBinary(req: BuildRequest, env: BuildEnv): Promise<BuildResult> {
  const root = env.sourceRoot ?? SOURCE_ROOT;
  const entry = join(root, "src/main.ts");
  if (!existsSync(entry))
    throw new AfkError(
      "usage",
      `build: no source tree at ${root}; run afk build from a checkout (bun run afk build)`,
    );

  const loaded = loadSpecFile(req.specPath);
  const files = collectSpecFiles(loaded);
  const defines = defineArgs(loaded, files);
  env.print(
    `spec ${req.specPath} ok (hash ${loaded.hash}, ${Object.keys(files).length} local files embedded)`,
  );

  env.print(`seam gate: ${req.gate.join(" ")}`);
  const gate = await runGate(req.gate, env.spawn, root, env.env);
  const runs = join(req.home, "runs");
  const dist = join(req.home, "dist");
  const outfile = join(dist, `afk-${req.target}`);
  const facts = {
    at: env.clock.now(),
    version: env.version,
    specPath: req.specPath,
    specText: loaded.text,
    target: req.target,
    gate,
    embedded: Object.keys(files),
    binaryName: relative(req.home, outfile).startsWith("..") ? outfile : relative(req.home, outfile),
    commit: await sourceCommit(env.spawn, root, env.env),
  };
  if (!gate.passed) {
    const record = writeRecord(runs, { ...facts, binary: undefined });
    return { loaded, gate, binary: undefined, record };
  }

  mkdirSync(dist, { recursive: true });
  env.print(`compiling for ${req.target}…`);
  const binary = await compile({
    bun: env.bun,
    entry,
    target: req.target,
    outfile,
    defines,
    cwd: root,
    env: env.env,
    spawn: env.spawn,
  });
  const record = writeRecord(runs, { ...facts, binary });
  return { loaded, gate, binary, record };
}
