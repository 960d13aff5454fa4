import { isAbsolute, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { FeedError } from "./types.ts";

/** Where a source's feed lives: an http(s) URL or a file inside the spec's folder. */
export type Location = { kind: "http"; url: string } | { kind: "file"; path: string };

/**
 * Classifies a source url. http(s) URLs pass; anything else is a file path relative to the
 * spec's folder (or a `file:` URL) and must stay inside it; other schemes are refused.
 */
export function locate(raw: string, specDir: string): Location {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(raw)?.[1]?.toLowerCase();
  if (scheme === "http" || scheme === "https") {
    try {
      return { kind: "http", url: new URL(raw).href };
    } catch {
      throw new FeedError("scheme", `not a valid URL: ${raw}`);
    }
  }
  let path: string;
  if (scheme === "file") {
    try {
      path = fileURLToPath(raw);
    } catch {
      throw new FeedError("path", `not a valid file URL: ${raw}`);
    }
  } else if (scheme !== undefined && scheme.length > 1) {
    throw new FeedError(
      "scheme",
      `scheme '${scheme}:' is not allowed (only http, https or a file under the spec's folder)`,
    );
  } else {
    path = raw;
  }
  const root = resolve(specDir);
  const abs = isAbsolute(path) ? resolve(path) : resolve(root, path);
  const rel = relative(root, abs);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new FeedError("path", `file ${raw} is outside the spec's folder`);
  }
  return { kind: "file", path: abs };
}
