import { Hono } from "hono";
import type { AppContext } from "../cli/context.ts";
import type { RunnerHandle } from "../runner/handle.ts";

export interface StatusServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Binds the status page on AFK_STATUS_ADDR for `afk serve`. Minimal until the operator
 * surface lands: only /healthz.
 */
export function startStatusServer(app: AppContext, handle: RunnerHandle): StatusServer {
  const [hostname = "127.0.0.1", port = "8787"] = app.host.statusAddr.split(/:(?=\d+$)/);
  const web = new Hono().get("/healthz", (c) => {
    const due = handle.lastDueSlotHandled();
    return due.ok && handle.alive() ? c.text("ok") : c.text(due.ok ? "runner stopped" : due.reason, 503);
  });
  const server = Bun.serve({ hostname, port: Number(port), fetch: web.fetch });
  return { url: `http://${server.hostname}:${server.port}`, stop: () => server.stop(true) };
}
