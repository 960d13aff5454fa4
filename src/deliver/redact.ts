/**
 * Removes every secret a sink holds from a message before it reaches a trace, the ledger, a log
 * line or the page: tokens, SMTP credentials, and the path and query of sink URLs (a Slack or
 * Discord webhook URL is itself the secret). Sinks are named by their id, never by their URL.
 * A password or token is removed however short it is; a user name, a URL's path and query from
 * three characters on (shorter ones would garble every message and hide nothing).
 */
export function redactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const always = new Set<string>();
  const parts = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    always.add(s);
    try {
      const u = new URL(s);
      if (u.password) always.add(decodeURIComponent(u.password));
      if (u.username) parts.add(decodeURIComponent(u.username));
      if (u.pathname.length > 1) parts.add(u.pathname);
      if (u.search) parts.add(u.search);
    } catch {
      // not a URL: the string itself is the secret
    }
  }
  const list = [...always, ...[...parts].filter((p) => p.length >= 3)].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const p of list) out = out.split(p).join("[redacted]");
    return out.replace(/Bearer\s+\S+/gi, "Bearer [redacted]");
  };
}

/** A URL as it may be shown: scheme and host only. */
export function safeOrigin(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return "(invalid url)";
  }
}
