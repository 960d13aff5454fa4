import { createHash, timingSafeEqual } from "node:crypto";
import { isLoopback, parseAddr } from "./addr.ts";

export { isLoopback, parseAddr };

function digest(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

export type AuthResult = { ok: true } | { ok: false; reason: "no_token_configured" | "missing" | "wrong" };

/**
 * `Authorization: Bearer <token>` against the configured token, compared in constant time
 * (equal-length SHA-256 digests, so neither the length nor a prefix leaks through timing).
 */
export function checkBearer(header: string | undefined, token: string | undefined): AuthResult {
  if (!token) return { ok: false, reason: "no_token_configured" };
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!m?.[1]) return { ok: false, reason: "missing" };
  return timingSafeEqual(digest(m[1]), digest(token)) ? { ok: true } : { ok: false, reason: "wrong" };
}

/**
 * The token from `Authorization: Bearer <t>`, or from HTTP Basic (any user name, the token as the
 * password) so a browser can open the page: it asks for the password after the 401.
 */
function presented(header: string | undefined): string | null {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (bearer?.[1]) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!basic?.[1]) return null;
  const decoded = Buffer.from(basic[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : null;
}

/**
 * Reads beyond loopback: every route but `/healthz` needs AFK_STATUS_TOKEN or the read-only
 * AFK_STATUS_READ_TOKEN (Bearer, or Basic with the token as the password). On loopback reads are
 * open, as before: only this host's users can reach them.
 */
export function checkRead(
  header: string | undefined,
  host: { statusAddr: string; statusToken: string | undefined; statusReadToken: string | undefined },
): AuthResult {
  if (isLoopback(parseAddr(host.statusAddr).hostname)) return { ok: true };
  const tokens = [host.statusToken, host.statusReadToken].filter((t): t is string => Boolean(t));
  if (tokens.length === 0) return { ok: false, reason: "no_token_configured" };
  const t = presented(header);
  if (t === null) return { ok: false, reason: "missing" };
  // Every token is compared (no early exit), each in constant time.
  const hits = tokens.map((k) => timingSafeEqual(digest(t), digest(k)));
  return hits.some(Boolean) ? { ok: true } : { ok: false, reason: "wrong" };
}
