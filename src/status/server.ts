import type { AppContext } from "../cli/context.ts";
import { AfkError } from "../core/errors.ts";
import type { RunnerHandle } from "../runner/handle.ts";
import { createStatusApp } from "./app.tsx";
import { isLoopback, parseAddr } from "./auth.ts";

export interface StatusServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Binds the status page on AFK_STATUS_ADDR for `afk serve`. Refuses to listen beyond
 * loopback without AFK_STATUS_TOKEN: a page that can kill the runner is never open unguarded.
 */
export function startStatusServer(app: AppContext, handle: RunnerHandle): StatusServer {
  const { hostname, port } = parseAddr(app.host.statusAddr);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new AfkError("usage", `AFK_STATUS_ADDR: '${app.host.statusAddr}' has no valid port`);
  if (!isLoopback(hostname) && !app.host.statusToken)
    throw new AfkError(
      "usage",
      `status page: refusing to bind ${hostname}:${port} beyond loopback without AFK_STATUS_TOKEN; set a token or use AFK_STATUS_ADDR=127.0.0.1:${port}`,
    );
  const web = createStatusApp({ app, handle });
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({ hostname, port, fetch: web.fetch });
  } catch (err) {
    throw new AfkError("io", `status page: cannot listen on ${hostname}:${port}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const host = server.hostname?.includes(":") ? `[${server.hostname}]` : server.hostname;
  return { url: `http://${host}:${server.port}`, stop: () => server.stop(true) };
}
