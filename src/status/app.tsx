/** @jsxImportSource hono/jsx */
import { existsSync, readFileSync, statSync } from "node:fs";
import { relative, resolve } from "node:path";
import { Hono } from "hono";
import { raw } from "hono/html";
import { dayIn } from "../core/clock.ts";
import { describeError } from "../core/errors.ts";
import { noRedaction } from "../core/redact.ts";
import { deliverRoutes } from "../deliver/routes.tsx";
import type { AppContext } from "../runner/app.ts";
import type { RunnerHandle } from "../runner/handle.ts";
import { checkBearer, checkRead } from "./auth.ts";
import { addDays } from "./days.ts";
import { raiseKillFlag } from "./kill.ts";
import { METRICS_CONTENT_TYPE, metricsSource } from "./metrics/index.ts";
import { HEARTBEAT_TICKS } from "./page/heartbeat.tsx";
import { PAGE_CSS_HASH, type PageData, StatusPage } from "./page.tsx";
import { dayTotals, lastDelivered, recentTicks, sourceHealth } from "./queries.ts";
import { snapshotSource } from "./snapshot-cache.ts";

export interface StatusAppDeps {
  app: AppContext;
  /** The runner in this process; null when the page is served without one (healthz says so). */
  handle: RunnerHandle | null;
}

const CSP = [
  "default-src 'none'",
  `style-src '${PAGE_CSS_HASH}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const MAX_DIGEST_BYTES = 256 * 1024;

/** The latest digest's text, only from inside out/ and only up to a sane size. */
function readDigest(home: string, outPath: string): string | null {
  const outDir = resolve(home, "out");
  const path = resolve(home, outPath);
  const rel = relative(outDir, path);
  if (rel.startsWith("..") || rel === "" || !existsSync(path)) return null;
  if (statSync(path).size > MAX_DIGEST_BYTES)
    return `(digest larger than ${MAX_DIGEST_BYTES} bytes; open ${outPath})`;
  return readFileSync(path, "utf8");
}

/** The status page as a value: tests call `createStatusApp(deps).request(...)`; only serve binds a port. */
export function createStatusApp(deps: StatusAppDeps): Hono {
  const { app, handle } = deps;
  const web = new Hono();

  web.use(async (c, next) => {
    await next();
    c.header("Content-Security-Policy", CSP);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    c.header("X-Frame-Options", "DENY");
    // A route that set its own caching (the Atom feed revalidates with its ETag) keeps it.
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  });

  // Secrets by value never reach a page or a JSON answer, whatever text they came in with.
  const redact = app.deps.redact ?? noRedaction;
  if (redact !== noRedaction)
    web.use(async (c, next) => {
      await next();
      const type = c.res.headers.get("content-type") ?? "";
      if (!/^(text\/|application\/(json|atom\+xml))/.test(type)) return;
      const text = await c.res.text();
      const headers = new Headers(c.res.headers);
      headers.delete("content-length");
      c.res = new Response(redact(text), { status: c.res.status, headers });
    });

  // Beyond loopback the page, /status.json and /metrics carry digest text, source URLs, errors and
  // spend: they need a token too. /healthz stays open for the platform's health check.
  web.use(async (c, next) => {
    if (c.req.path === "/healthz" || c.req.method === "POST") return next();
    const auth = checkRead(c.req.header("Authorization"), app.host);
    if (auth.ok) return next();
    return c.text(
      "unauthorised: send Authorization: Bearer <AFK_STATUS_TOKEN or AFK_STATUS_READ_TOKEN> (a browser: any user name, the token as the password)",
      401,
      { "WWW-Authenticate": 'Basic realm="afk", charset="UTF-8"' },
    );
  });

  web.onError((err, c) => {
    app.deps.warn(`status page: ${c.req.method} ${c.req.path}: ${describeError(err)}`);
    return c.text("internal error (see the serve log)", 500);
  });

  // /status.json is polled; the snapshot is rebuilt only when something it reads has changed
  const snapshot = snapshotSource({ app, handle });
  // /metrics is scraped; its ledger families are rebuilt only when the ledger has changed
  const metrics = metricsSource(() => app.db(), snapshot);

  web.get("/", (c) => {
    const db = app.db();
    const s = snapshot();
    const today = dayIn(app.deps.clock.now(), app.loaded.spec.timezone);
    const days = Array.from({ length: 14 }, (_, i) => addDays(today, i - 13));
    const delivered = lastDelivered(db);
    const data: PageData = {
      snapshot: s,
      days: dayTotals(db, days),
      ticks: recentTicks(db, HEARTBEAT_TICKS),
      sources: sourceHealth(db),
      digest:
        delivered?.out_path != null
          ? { path: delivered.out_path, text: readDigest(app.host.home, delivered.out_path) }
          : null,
    };
    return c.html(
      <>
        {raw("<!DOCTYPE html>")}
        <StatusPage data={data} />
      </>,
    );
  });

  web.get("/status.json", (c) => c.json(snapshot()));

  web.get("/healthz", (c) => {
    if (!handle) return c.text("no runner in this process", 503);
    if (!handle.alive()) return c.text("runner stopped", 503);
    const due = handle.lastDueSlotHandled();
    return due.ok ? c.text("ok") : c.text(due.reason, 503);
  });

  web.get("/metrics", (c) => {
    return c.body(metrics(), 200, { "Content-Type": METRICS_CONTENT_TYPE });
  });

  web.route("/", deliverRoutes(app));

  web.post("/kill", (c) => {
    const auth = checkBearer(c.req.header("Authorization"), app.host.statusToken);
    if (!auth.ok) {
      const why =
        auth.reason === "no_token_configured"
          ? "POST /kill is disabled: AFK_STATUS_TOKEN is not set"
          : "unauthorised: send Authorization: Bearer <AFK_STATUS_TOKEN>";
      return c.text(why, 401, { "WWW-Authenticate": 'Bearer realm="afk"' });
    }
    const now = app.deps.clock.now();
    raiseKillFlag(app.host.killFlag, now, "POST /kill");
    // Stopping the runner also stops this server: ask after the 202 has gone out, not before.
    if (handle) setTimeout(() => handle.requestStop("kill requested via POST /kill"), 0);
    return c.json(
      { killed: true, flag: app.host.killFlag, at: now.toISOString(), runner: handle ? "stopping" : "none" },
      202,
    );
  });

  return web;
}
