import { AfkError, describeError } from "../core/errors.ts";
import type { HostConfig } from "../core/host.ts";
import type { AppContext } from "../runner/app.ts";
import type { RunnerHandle } from "../runner/handle.ts";
import { isLoopback, parseAddr } from "./addr.ts";

export interface StatusServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Where the status page would bind, or an AfkError (exit 2) when that is beyond loopback
 * with no AFK_STATUS_TOKEN. `serve` may call it before anything starts, to refuse early.
 */
export function statusBindAddress(host: Pick<HostConfig, "statusAddr" | "statusToken">): {
  hostname: string;
  port: number;
} {
  const { hostname, port } = parseAddr(host.statusAddr);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new AfkError("usage", `AFK_STATUS_ADDR: '${host.statusAddr}' has no valid port`);
  if (!isLoopback(hostname) && !host.statusToken)
    throw new AfkError(
      "usage",
      `status page: refusing to bind ${hostname}:${port} beyond loopback without AFK_STATUS_TOKEN; set a token or use AFK_STATUS_ADDR=127.0.0.1:${port}`,
    );
  return { hostname, port };
}

/**
 * Binds the status page on AFK_STATUS_ADDR for `afk serve`. Refuses to listen beyond
 * loopback without AFK_STATUS_TOKEN: a page that can kill the runner is never open without a token.
 * The port is bound at start; the page's app (hono, the page, metrics, the Atom feed) is built at
 * the first request, so a serve nobody has looked at yet does not hold it (serve_idle_rss_mb).
 */
export function startStatusServer(app: AppContext, handle: RunnerHandle): StatusServer {
  const { hostname, port } = statusBindAddress(app.host);
  let web: Promise<{ fetch(req: Request): Response | Promise<Response> }> | null = null;
  const fetch = async (req: Request) => {
    web ??= import("./app.tsx").then((m) => m.createStatusApp({ app, handle }));
    return (await web).fetch(req);
  };
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({ hostname, port, fetch });
  } catch (err) {
    throw new AfkError("io", `status page: cannot listen on ${hostname}:${port}: ${describeError(err)}`, {
      cause: err,
    });
  }
  const host = server.hostname?.includes(":") ? `[${server.hostname}]` : server.hostname;
  return { url: `http://${host}:${server.port}`, stop: () => server.stop(true) };
}
