import { isAbsolute, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Where a source's feed lives: an http(s) URL or a file inside the spec's folder. */
export type Location = { kind: "http"; url: string } | { kind: "file"; path: string };

/** Why a source url names no place afk may read: a scheme it refuses, or a path outside the folder. */
export interface LocationRefusal {
  code: "scheme" | "path";
  message: string;
}

/**
 * Classifies a source url. http(s) URLs pass; anything else is a file path relative to the
 * spec's folder (or a `file:` URL) and must stay inside it; other schemes are refused. Pure:
 * the spec refuses at load what the sources ring would refuse at fetch (`sources/location.ts`).
 */
export function classifyLocation(raw: string, specDir: string): Location | LocationRefusal {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(raw)?.[1]?.toLowerCase();
  if (scheme === "http" || scheme === "https") {
    try {
      return { kind: "http", url: new URL(raw).href };
    } catch {
      return { code: "scheme", message: `not a valid URL: ${raw}` };
    }
  }
  let path: string;
  if (scheme === "file") {
    try {
      path = fileURLToPath(raw);
    } catch {
      return { code: "path", message: `not a valid file URL: ${raw}` };
    }
  } else if (scheme !== undefined && scheme.length > 1) {
    return {
      code: "scheme",
      message: `scheme '${scheme}:' is not allowed (only http, https or a file under the spec's folder)`,
    };
  } else {
    path = raw;
  }
  const root = resolve(specDir);
  const abs = isAbsolute(path) ? resolve(path) : resolve(root, path);
  const rel = relative(root, abs);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    return { code: "path", message: `file ${raw} is outside the spec's folder` };
  }
  return { kind: "file", path: abs };
}
