import { existsLight, readTextLight } from "../core/fs-light.ts";
import { dirname, join, normalize } from "../core/path-light.ts";
import { adoptCachedEntry, decodeCachedSpec, specCacheKey, specCachePath } from "./cache.ts";
import { embeddedFiles } from "./embedded-define.ts";
import type { LoadedSpec } from "./load.ts";
import { type SpecSource, specSource } from "./source.ts";
import { specHash, splitSpec } from "./text.ts";

/**
 * The spec that runs, when AFK_HOME's cache holds it validated by this afk `version` for exactly
 * its bytes — read without node:fs, yaml or zod, for the cold paths (`afk status`, `--version`).
 * Null whenever anything is in doubt: the file unreadable, no cache entry, a stale or corrupt one,
 * or an embedded spec whose local feeds are not yet under AFK_HOME (writing them is the ordinary
 * path's job). The caller then takes the ordinary path (resolveSpec), which validates, reports
 * errors by field and line, and materialises. Nothing is written here; the entry's zone table is
 * registered for the process (the spec's wall clock without ICU).
 */
export function cachedSpec(
  specFlag: string | undefined,
  home: string,
  version: string,
): { src: SpecSource; loaded: LoadedSpec } | null {
  const src = specSource(specFlag);
  const text = src.kind === "embedded" ? src.text : readTextLight(src.abs);
  if (text === null) return null;
  const dir = src.kind === "embedded" ? home : dirname(src.abs);
  if (
    src.kind === "embedded" &&
    Object.keys(embeddedFiles()).some((rel) => !existsLight(join(home, normalize(rel))))
  )
    return null;
  const key = specCacheKey(text, version, dir);
  const cached = readTextLight(specCachePath(home, key));
  const entry = cached === null ? null : decodeCachedSpec(cached, key);
  const parts = entry ? splitSpec(text) : null;
  if (!entry || !parts) return null;
  return {
    src,
    loaded: {
      spec: adoptCachedEntry(entry),
      hash: specHash(text),
      origin: src.kind === "embedded" ? "embedded" : `file:${src.abs}`,
      dir,
      text,
      prose: parts.prose,
    },
  };
}
