import { readHostConfig } from "../core/host.ts";
import { cachedSpec } from "../spec/cached.ts";
import { specHash } from "../spec/text.ts";
import { VERSION } from "./version.ts";

/**
 * `afk --version`: afk's version, the spec's hash and where it came from — or "(none loaded)"
 * when the spec (or the host) is not valid. A spec this version validated before is known valid
 * from AFK_HOME's cache (cachedSpec: no node:fs, yaml or zod); any doubt (no cache, stale, corrupt)
 * validates the text again on the ordinary path. Writes nothing.
 */
export async function versionLine(
  specFlag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<string> {
  try {
    const home = readHostConfig(env, cwd).home;
    const hit = cachedSpec(specFlag, home, VERSION);
    if (hit) return line(hit.loaded.text, hit.loaded.origin);
    const { resolveSpec } = await import("../spec/resolve.ts");
    const loaded = resolveSpec(specFlag, home);
    return line(loaded.text, loaded.origin);
  } catch {
    return `afk ${VERSION} spec (none loaded)`;
  }
}

function line(text: string, origin: string): string {
  return `afk ${VERSION} spec ${specHash(text)} (${origin === "embedded" ? "embedded" : origin.slice("file:".length)})`;
}
