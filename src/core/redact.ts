/**
 * Redaction of secrets by value. Every occurrence of a secret, and of any distinctive piece of it
 * 8 characters or longer, becomes `[redacted]`: a provider that echoes the key without its `sk-`
 * prefix, or half of it in a URL, is caught as surely as the whole key.
 */

export const REDACTED = "[redacted]";
/** Pieces of a secret this long or longer are redacted wherever they appear. */
export const MIN_PIECE = 8;
/** A whole secret shorter than MIN_PIECE is still redacted when it is at least this long. */
const MIN_WHOLE = 6;

export type Redact = (text: string) => string;

export const noRedaction: Redact = (text) => text;

/** A window is distinctive when it is not a run of few characters (`00000000` is everywhere). */
function distinctive(window: string): boolean {
  return new Set(window).size >= 4;
}

/** `%xx` decoded, or the text as it is when it holds no valid escape. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * What is secret in a value. A URL (`scheme://…`) holds its secret in its user name, password,
 * path and query (a Slack or Discord webhook's path is its key, an ntfy topic's path is the
 * topic); its scheme and host are no secret, and redacting them by value would eat every
 * `https://` and the host's name from every line, link and digest. Anything else is secret whole.
 */
export function secretParts(value: string): string[] {
  const url = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)(.*)$/is.exec(value);
  if (!url) return [value];
  const [, authority = "", rest = ""] = url;
  const parts: string[] = [];
  const at = authority.lastIndexOf("@");
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(":");
    for (const p of colon >= 0 ? [userinfo.slice(0, colon), userinfo.slice(colon + 1)] : [userinfo])
      parts.push(p, decoded(p));
  }
  if (rest.length > 1) parts.push(rest, decoded(rest));
  return parts;
}

/** The secret values worth redacting: long enough, deduplicated, longest first. */
export function secretValues(values: Iterable<string | undefined>): string[] {
  const out = new Set<string>();
  for (const v of values) {
    if (v === undefined) continue;
    for (const p of secretParts(v.trim())) if (p.length >= MIN_WHOLE) out.add(p);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** Every distinctive MIN_PIECE-long window of the secrets: where a redacted stretch can start. */
export function secretWindows(secrets: readonly string[]): string[] {
  const out = new Set<string>();
  for (const s of secrets)
    for (let i = 0; i + MIN_PIECE <= s.length; i++) {
      const w = s.slice(i, i + MIN_PIECE);
      if (distinctive(w)) out.add(w);
    }
  return [...out];
}

/**
 * The one redactor for a process: built from the secret values (those in the environment the spec
 * names), applied at each sink's write — ledger, trace, log, page, notices.
 */
export function makeRedactor(values: Iterable<string | undefined>): Redact {
  const secrets = secretValues(values);
  if (secrets.length === 0) return noRedaction;
  const windows = new Set(secretWindows(secrets));
  const short = secrets.filter((s) => s.length < MIN_PIECE);
  const inSecret = (piece: string) => secrets.some((s) => s.includes(piece));
  return (text) => {
    if (text.length < MIN_WHOLE) return text;
    let out = "";
    let i = 0;
    while (i < text.length) {
      if (windows.has(text.slice(i, i + MIN_PIECE))) {
        let end = i + MIN_PIECE;
        while (end < text.length && inSecret(text.slice(i, end + 1))) end++;
        out += REDACTED;
        i = end;
        continue;
      }
      const whole = short.find((s) => text.startsWith(s, i));
      if (whole) {
        out += REDACTED;
        i += whole.length;
        continue;
      }
      out += text[i];
      i++;
    }
    return out;
  };
}

/** Names of the environment variables a spec names for secrets: every `…_env` key anywhere in it. */
export function secretEnvNames(spec: unknown): string[] {
  const names = new Set<string>();
  // A loop over a stack, in the recursion's order, not a recursive call per node: a call per node
  // made start-up baseline-compile it (JIT machine code paged into every serve and status).
  const stack: [string, unknown][] = [["", spec]];
  while (stack.length > 0) {
    const [key, v] = stack.pop() as [string, unknown];
    if (/_env$/.test(key) && typeof v === "string") names.add(v);
    else if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push(["", v[i]]);
    else if (v && typeof v === "object") {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) stack.push(entries[i] as [string, unknown]);
    }
  }
  return [...names];
}
