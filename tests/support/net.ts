/**
 * A loopback port free right now, for a child that must be told its port up front (a serve's
 * AFK_STATUS_ADDR, a Prometheus listen address): bound with port 0, read, released.
 */
export function freePort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = s.port as number;
  s.stop(true);
  return port;
}
