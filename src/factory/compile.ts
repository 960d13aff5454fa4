import { createHash } from "node:crypto";
import { renameSync, rmSync, statSync } from "node:fs";
import { AfkError } from "../core/errors.ts";
import type { Spawn } from "./spawn.ts";
import { bunTarget, type Target } from "./targets.ts";

export interface Compiled {
  path: string;
  bytes: number;
  sha256: string;
  ms: number;
}

/**
 * How afk is compiled, for `afk build` and the bench alike. The binary ignores `.env` and
 * `bunfig.toml` in its working directory: host configuration comes from the environment the service
 * manager sets, and a stray bunfig could preload code into a production binary. Start-up is most of
 * what `afk status`, `afk kill` or a cron `afk tick` that finds nothing due costs: `--bytecode` skips
 * parsing the bundle at every start, and `--splitting` (ESM only, as is main's top-level await) puts
 * each command in its own chunk, so a command evaluates only the modules it imports.
 */
export const COMPILE_FLAGS = [
  "--no-compile-autoload-dotenv",
  "--no-compile-autoload-bunfig",
  "--bytecode",
  "--format=esm",
  "--splitting",
] as const;

/**
 * `bun build --compile` of `entry` for `target` into `outfile` (written beside it, then renamed, so a
 * failed compile never leaves half a binary), with COMPILE_FLAGS.
 */
export async function compile(opts: {
  bun: string;
  entry: string;
  target: Target;
  outfile: string;
  defines: string[];
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  spawn: Spawn;
}): Promise<Compiled> {
  const tmp = `${opts.outfile}.partial`;
  const cmd = [
    opts.bun,
    "build",
    "--compile",
    `--target=${bunTarget(opts.target)}`,
    ...COMPILE_FLAGS,
    ...opts.defines,
    opts.entry,
    "--outfile",
    tmp,
  ];
  const done = await opts.spawn(cmd, { cwd: opts.cwd, env: { ...opts.env } });
  if (done.exitCode !== 0) {
    rmSync(tmp, { force: true });
    const why = `${done.stderr}\n${done.stdout}`.trim().split("\n").slice(-8).join("\n  ");
    throw new AfkError("build_failed", `build: bun build --compile for ${opts.target} failed:\n  ${why}`);
  }
  renameSync(tmp, opts.outfile);
  return {
    path: opts.outfile,
    bytes: statSync(opts.outfile).size,
    sha256: await sha256File(opts.outfile),
    ms: done.ms,
  };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  const reader = Bun.file(path).stream().getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) hash.update(r.value);
  return hash.digest("hex");
}
