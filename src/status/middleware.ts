import type { MiddlewareHandler } from "hono";
import type { Redact } from "../core/redact.ts";
import type { AppContext } from "../runner/app.ts";
import { checkRead } from "./auth.ts";
import { PAGE_CSS_HASH } from "./page.tsx";

const CSP = [
  "default-src 'none'",
  `style-src '${PAGE_CSS_HASH}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Every answer: a strict CSP, no sniffing, no referrer, no framing, not cached unless the route says. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header("Content-Security-Policy", CSP);
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Referrer-Policy", "no-referrer");
  c.header("X-Frame-Options", "DENY");
  // A route that set its own caching (the Atom feed revalidates with its ETag) keeps it.
  if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
};

/** Secrets by value never reach a page or a JSON answer, whatever text they came in with. */
export function redactBodies(redact: Redact): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const type = c.res.headers.get("content-type") ?? "";
    if (!/^(text\/|application\/(json|atom\+xml))/.test(type)) return;
    const text = await c.res.text();
    const headers = new Headers(c.res.headers);
    headers.delete("content-length");
    c.res = new Response(redact(text), { status: c.res.status, headers });
  };
}

/**
 * Beyond loopback the page, /status.json and /metrics carry digest text, source URLs, errors and
 * spend: they need a token too. /healthz stays open for the platform's health check; POSTs
 * check their own (stronger) token.
 */
export function requireReadToken(app: AppContext): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path === "/healthz" || c.req.method === "POST") return next();
    const auth = checkRead(c.req.header("Authorization"), app.host);
    if (auth.ok) return next();
    return c.text(
      "unauthorised: send Authorization: Bearer <AFK_STATUS_TOKEN or AFK_STATUS_READ_TOKEN> (a browser: any user name, the token as the password)",
      401,
      { "WWW-Authenticate": 'Basic realm="afk", charset="UTF-8"' },
    );
  };
}
