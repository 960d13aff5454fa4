/**
 * `join`, `resolve`, `dirname` and `normalize` of `node:path` (POSIX: afk runs on Linux and macOS
 * only), for the cold paths (`afk status`, `afk --version`): a compiled cold start pays 0.25–0.4 ms
 * to load `node:path` and 0.15–0.5 ms for `node:os`, a sixth of what a compiled hello-world costs in
 * all. The algorithm is Node's own (lib/path.js, posix); tests/core/path-light.test.ts compares every
 * function with `node:path` over generated paths. Elsewhere, use `node:path`.
 */

const SLASH = 47;
const DOT = 46;

/** Resolves `.` and `..` segments and drops empty ones; `..` above the start is kept when allowed. */
function normalizeString(path: string, allowAboveRoot: boolean): string {
  let res = "";
  let lastSegmentLength = 0;
  let lastSlash = -1;
  let dots = 0;
  let code = 0;
  for (let i = 0; i <= path.length; ++i) {
    if (i < path.length) code = path.charCodeAt(i);
    else if (code === SLASH) break;
    else code = SLASH;
    if (code !== SLASH) {
      dots = code === DOT && dots !== -1 ? dots + 1 : -1;
      continue;
    }
    if (lastSlash === i - 1 || dots === 1) {
      // an empty segment or `.`: nothing to add
    } else if (dots === 2) {
      const endsInDotDot =
        res.length >= 2 &&
        lastSegmentLength === 2 &&
        res.charCodeAt(res.length - 1) === DOT &&
        res.charCodeAt(res.length - 2) === DOT;
      if (!endsInDotDot && res.length > 2) {
        const cut = res.lastIndexOf("/");
        res = cut === -1 ? "" : res.slice(0, cut);
        lastSegmentLength = cut === -1 ? 0 : res.length - 1 - res.lastIndexOf("/");
      } else if (!endsInDotDot && res.length !== 0) {
        res = "";
        lastSegmentLength = 0;
      } else if (allowAboveRoot) {
        res += res.length > 0 ? "/.." : "..";
        lastSegmentLength = 2;
      }
    } else {
      res += (res.length > 0 ? "/" : "") + path.slice(lastSlash + 1, i);
      lastSegmentLength = i - lastSlash - 1;
    }
    lastSlash = i;
    dots = 0;
  }
  return res;
}

export function normalize(path: string): string {
  if (path.length === 0) return ".";
  const absolute = path.charCodeAt(0) === SLASH;
  const trailing = path.charCodeAt(path.length - 1) === SLASH;
  const body = normalizeString(path, !absolute);
  if (body.length === 0) return absolute ? "/" : trailing ? "./" : ".";
  return (absolute ? "/" : "") + body + (trailing ? "/" : "");
}

export function join(...parts: string[]): string {
  const joined = parts.filter((p) => p.length > 0).join("/");
  return joined.length === 0 ? "." : normalize(joined);
}

/** `parts` resolved right to left into an absolute path, against the process's working directory. */
export function resolve(...parts: string[]): string {
  let resolved = "";
  let absolute = false;
  for (let i = parts.length - 1; i >= -1 && !absolute; i--) {
    const p = i >= 0 ? (parts[i] as string) : process.cwd();
    if (p.length === 0) continue;
    resolved = `${p}/${resolved}`;
    absolute = p.charCodeAt(0) === SLASH;
  }
  const body = normalizeString(resolved, !absolute);
  return absolute ? `/${body}` : body.length > 0 ? body : ".";
}

export function dirname(path: string): string {
  if (path.length === 0) return ".";
  const rooted = path.charCodeAt(0) === SLASH;
  let end = -1;
  let matchedSlash = true;
  for (let i = path.length - 1; i >= 1; --i) {
    if (path.charCodeAt(i) === SLASH) {
      if (!matchedSlash) {
        end = i;
        break;
      }
    } else matchedSlash = false;
  }
  if (end === -1) return rooted ? "/" : ".";
  if (rooted && end === 1) return "//";
  return path.slice(0, end);
}
