/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import { raw } from "hono/html";
import { describeError } from "../core/errors.ts";
import { noRedaction } from "../core/redact.ts";
import { deliverRoutes } from "../deliver/routes.tsx";
import type { AppContext } from "../runner/app.ts";
import type { RunnerHandle } from "../runner/handle.ts";
import { checkBearer } from "./auth.ts";
import { raiseKillFlag } from "./kill.ts";
import { METRICS_CONTENT_TYPE, metricsSource } from "./metrics/index.ts";
import { redactBodies, requireReadToken, securityHeaders } from "./middleware.ts";
import { StatusPage } from "./page.tsx";
import { pageData } from "./page-data.ts";
import { snapshotSource } from "./snapshot-cache.ts";

export interface StatusAppDeps {
  app: AppContext;
  /** The runner in this process; null when the page is served without one (healthz says so). */
  handle: RunnerHandle | null;
}

/** The status page as a value: tests call `createStatusApp(deps).request(...)`; only serve binds a port. */
export function createStatusApp(deps: StatusAppDeps): Hono {
  const { app, handle } = deps;
  const web = new Hono();
  web.use(securityHeaders);
  const redact = app.deps.redact ?? noRedaction;
  if (redact !== noRedaction) web.use(redactBodies(redact));
  web.use(requireReadToken(app));
  web.onError((err, c) => {
    app.deps.warn(`status page: ${c.req.method} ${c.req.path}: ${describeError(err)}`);
    return c.text("internal error (see the serve log)", 500);
  });

  // /status.json is polled; the snapshot is rebuilt only when something it reads has changed
  const snapshot = snapshotSource({ app, handle });
  // /metrics is scraped; its ledger families are rebuilt only when the ledger has changed
  const metrics = metricsSource(() => app.db(), snapshot);

  web.get("/", (c) =>
    c.html(
      <>
        {raw("<!DOCTYPE html>")}
        <StatusPage data={pageData(app, snapshot())} />
      </>,
    ),
  );
  web.get("/status.json", (c) => c.json(snapshot()));
  web.get("/healthz", (c) => {
    const why = unhealthy(handle);
    return why === null ? c.text("ok") : c.text(why, 503);
  });
  web.get("/metrics", (c) => c.body(metrics(), 200, { "Content-Type": METRICS_CONTENT_TYPE }));
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
    return c.json(killByPost(app, handle), 202);
  });
  return web;
}

/** /healthz: null when the runner in this process is alive and its last due slot has a row, else why not. */
function unhealthy(handle: RunnerHandle | null): string | null {
  if (!handle) return "no runner in this process";
  if (!handle.alive()) return "runner stopped";
  const due = handle.lastDueSlotHandled();
  return due.ok ? null : due.reason;
}

/** An authorised POST /kill: the flag raised, the runner asked to stop once the 202 has gone out. */
function killByPost(app: AppContext, handle: RunnerHandle | null) {
  const now = app.deps.clock.now();
  raiseKillFlag(app.host.killFlag, now, "POST /kill");
  // Stopping the runner also stops this server: ask after the 202 has gone out, not before.
  if (handle) setTimeout(() => handle.requestStop("kill requested via POST /kill"), 0);
  return {
    killed: true,
    flag: app.host.killFlag,
    at: now.toISOString(),
    runner: handle ? "stopping" : "none",
  };
}
