/**
 * A URL as afk may store or show it: a password in it (`https://user:pass@host/feed`) is replaced,
 * so the ledger (source_health.validators_url), traces and pages never hold it in plain text.
 * Text that is not a URL is returned as it is.
 */
export function withoutPassword(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  if (u.password === "") return url;
  u.password = "redacted";
  return u.href;
}
