/**
 * Link handling: every link that leaves the sources ring is absolute http(s), resolved against
 * the feed's own address, with no credentials and no fragment.
 */

const SAFE_PROTOCOLS = new Set(["http:", "https:"]);
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007F-\u009F]/g;

/**
 * Resolves `raw` against `base` and returns it only if the result is an http(s) URL;
 * `javascript:`, `data:`, `file:` and anything unparsable give null.
 */
export function safeLink(raw: string | undefined | null, base: string | null): string | null {
  if (typeof raw !== "string") return null;
  const trimmed = raw.replace(CONTROL_OR_SPACE, "");
  if (trimmed === "") return null;
  let url: URL;
  try {
    url = base === null ? new URL(trimmed) : new URL(trimmed, base);
  } catch {
    return null;
  }
  if (!SAFE_PROTOCOLS.has(url.protocol)) return null;
  // Each setter serialises the URL again; most links have neither credentials nor a fragment.
  // A bare `#` reads as an empty hash but is in href: the serialised form decides.
  if (url.username !== "") url.username = "";
  if (url.password !== "") url.password = "";
  if (url.href.includes("#")) url.hash = "";
  const href = url.href;
  return href.length > 2048 ? null : href;
}

/** A base for resolving relative links: only http(s) addresses count (a local file's path does not). */
export function httpBase(...candidates: (string | null | undefined)[]): string | null {
  for (const c of candidates) {
    const link = safeLink(c, null);
    if (link !== null) return link;
  }
  return null;
}
