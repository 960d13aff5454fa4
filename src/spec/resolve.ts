import { dirname } from "node:path";
import { specCacheKey } from "./cache.ts";
import { readCachedSpec, storeCachedSpec } from "./cache-store.ts";
import { materialiseEmbeddedFiles } from "./embedded-files.ts";
import { type SpecEnv, specEnvIssues } from "./env.ts";
import { jobIssues } from "./job-issues.ts";
import type { LoadedSpec } from "./load.ts";
import { readSpecText } from "./read.ts";
import { type SpecSource, specSource } from "./source.ts";
import { specHash, splitSpec } from "./text.ts";

export { REPO_SPEC_PATH } from "./source.ts";

export interface ResolveOptions {
  /** Also write the embedded spec's local feeds under AFK_HOME where missing (commands that run ticks). */
  materialise?: boolean;
  /** Also require the environment variables the spec's sinks name (exit 2 at load). */
  env?: SpecEnv;
  /**
   * afk's version: take the validated spec from AFK_HOME's cache when this version validated these
   * exact bytes before (rememberSpec stores it), else validate. Unset: always validate.
   */
  cacheVersion?: string;
}

/**
 * yaml, zod and the schema load only when a spec is validated: a cold `afk status` on a cached
 * spec never evaluates them. `require` (not `import()`) keeps resolveSpec synchronous.
 */
function load(): typeof import("./load.ts") {
  return require("./load.ts");
}

/**
 * The spec `text` validated: from the cache when `cacheVersion` is set and holds exactly these
 * bytes (the environment its sinks name is checked every time), else by parsing (yaml + zod;
 * errors name field and line). Nothing is written here.
 */
function validated(
  text: string,
  where: { file: string; origin: string; dir: string },
  home: string,
  opts: ResolveOptions,
): LoadedSpec {
  const { file, origin, dir } = where;
  const check = opts.env ? { env: opts.env } : {};
  const spec =
    opts.cacheVersion === undefined ? null : readCachedSpec(home, specCacheKey(text, opts.cacheVersion, dir));
  const parts = spec ? splitSpec(text) : null;
  // A sink's variable missing: parsing again names the field and its line, as it always has.
  const envOk =
    spec !== null &&
    (!opts.env || [...specEnvIssues(spec, opts.env), ...jobIssues(spec, dir, opts.env)].length === 0);
  if (spec && parts && envOk) return { spec, hash: specHash(text), origin, dir, text, prose: parts.prose };
  return load().parseSpec(text, file, origin, dir, check);
}

/**
 * Keeps `loaded` (validated by this afk `version`) in AFK_HOME's cache for the next start, with its
 * zone's offsets from a year before `now` to three after. Called by a command once it writes the
 * home anyway (its ledger opened for writing): `--version` and `status` only read the cache, so
 * asking never leaves a file behind.
 */
export function rememberSpec(loaded: LoadedSpec, home: string, version: string, now: Date): void {
  storeCachedSpec(home, specCacheKey(loaded.text, version, loaded.dir), loaded.spec, now);
}

/**
 * The spec that runs (see specSource), validated. An embedded spec's relative sources resolve
 * against AFK_HOME; `materialise` also writes its local feeds there where missing.
 */
export function resolveSpec(
  specFlag: string | undefined,
  home: string,
  opts: ResolveOptions = {},
): LoadedSpec {
  const src = specSource(specFlag);
  return validateSource(src, src.kind === "file" ? readSpecText(src.file, src.abs) : src.text, home, opts);
}

/** `text`, already read from `src`, validated (or taken from the cache) as resolveSpec does. */
export function validateSource(
  src: SpecSource,
  text: string,
  home: string,
  opts: ResolveOptions = {},
): LoadedSpec {
  if (src.kind === "file")
    return validated(text, { file: src.file, origin: `file:${src.abs}`, dir: dirname(src.abs) }, home, opts);
  const loaded = validated(text, { file: "embedded SPEC.md", origin: "embedded", dir: home }, home, opts);
  if (opts.materialise) materialiseEmbeddedFiles(home);
  return loaded;
}
