/** The status page's address (AFK_STATUS_ADDR), read without the page: serve checks it before it starts. */

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|::1|\[::1\]|localhost)$/i;

export function isLoopback(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

/** `host:port`, `[v6]:port`, a bare host or a bare IPv6 address; the port defaults to 8787. */
export function parseAddr(addr: string): { hostname: string; port: number } {
  const a = addr.trim();
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(a);
  if (v6) return { hostname: v6[1] as string, port: v6[2] ? Number(v6[2]) : 8787 };
  if (a.split(":").length > 2) return { hostname: a, port: 8787 };
  const [hostname, port] = a.split(":");
  return { hostname: hostname || "127.0.0.1", port: port ? Number(port) : 8787 };
}
