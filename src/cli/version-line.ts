import { dirname } from "node:path";
import { readHostConfig } from "../core/host.ts";
import { decodeCachedSpec, specCacheKey, specCachePath } from "../spec/cache.ts";
import { specSource } from "../spec/source.ts";
import { specHash } from "../spec/text.ts";
import { VERSION } from "./version.ts";

/**
 * `afk --version`: afk's version, the spec's hash and where it came from — or "(none loaded)"
 * when the spec (or the host) is not valid. A spec this version validated before is known valid
 * from AFK_HOME's cache; files are read with `Bun.file`, so a cached run never loads `node:fs`,
 * yaml or zod. Any doubt (no cache, stale, corrupt) validates the text again. Writes nothing.
 */
export async function versionLine(
  specFlag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<string> {
  try {
    const home = readHostConfig(env, cwd).home;
    const src = specSource(specFlag);
    const text = src.kind === "embedded" ? src.text : await Bun.file(src.abs).text();
    const key = specCacheKey(text, VERSION, src.kind === "embedded" ? home : dirname(src.abs));
    const cached = await Bun.file(specCachePath(home, key))
      .text()
      .then(
        (t) => decodeCachedSpec(t, key),
        () => null, // no cache yet: validate below
      );
    if (!cached) {
      const { validateSource } = await import("../spec/resolve.ts");
      validateSource(src, text, home);
    }
    return `afk ${VERSION} spec ${specHash(text)} (${src.kind === "embedded" ? "embedded" : src.abs})`;
  } catch {
    return `afk ${VERSION} spec (none loaded)`;
  }
}
