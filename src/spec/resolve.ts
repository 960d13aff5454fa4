import { resolve } from "node:path";
import { materialiseEmbeddedFiles } from "../factory/materialise.ts";
import type { SpecEnv } from "./env.ts";
import { type LoadedSpec, loadSpecFile, parseSpec } from "./load.ts";

/** Replaced by `afk build` (bun build --define) with the SPEC.md text the binary was built from. */
declare const AFK_EMBEDDED_SPEC: string | undefined;

function embeddedSpec(): string | undefined {
  return typeof AFK_EMBEDDED_SPEC === "string" ? AFK_EMBEDDED_SPEC : undefined;
}

/** The repo's default spec, found beside the source tree (works from any working directory). */
export const REPO_SPEC_PATH = resolve(import.meta.dir, "../../spec/SPEC.md");

/**
 * Which spec runs: `--spec PATH` when given; else the spec embedded at build time (relative
 * sources then resolve against AFK_HOME); else the repo's spec/SPEC.md.
 * `env`: also require the environment variables the spec's sinks name (exit 2 at load).
 * `materialise`: also write the embedded spec's local feeds under AFK_HOME where missing (for the
 * commands that run ticks; `--version` or `doctor` leave the folder as it is).
 */
export function resolveSpec(
  specFlag: string | undefined,
  home: string,
  opts: { materialise?: boolean; env?: SpecEnv } = {},
): LoadedSpec {
  const check = opts.env ? { env: opts.env } : {};
  if (specFlag) return loadSpecFile(specFlag, check);
  const embedded = embeddedSpec();
  if (embedded !== undefined) {
    const loaded = parseSpec(embedded, "embedded SPEC.md", "embedded", home, check);
    if (opts.materialise) materialiseEmbeddedFiles(home);
    return loaded;
  }
  return loadSpecFile(REPO_SPEC_PATH, check);
}
