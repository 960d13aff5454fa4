import { afterEach, describe, expect, test } from "bun:test";
import { fetchBudget } from "../../src/sources/byte-budget.ts";
import { httpGet } from "../../src/sources/http.ts";
import { isPrivateAddress } from "../../src/sources/private-net.ts";
import { FeedError } from "../../src/sources/types.ts";

const FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>';

const stops: (() => void)[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
});

/** A loopback server: `/feed` answers, `/to?u=URL` redirects there; every path asked is recorded. */
function server() {
  const asked: string[] = [];
  const s = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req) {
      const u = new URL(req.url);
      asked.push(u.pathname);
      const to = u.searchParams.get("u");
      if (to) return new Response(null, { status: 302, headers: { location: to } });
      return new Response(FEED, { headers: { "content-type": "application/rss+xml" } });
    },
  });
  stops.push(() => s.stop(true));
  return { port: s.port, asked };
}

function get(url: string, o: { fetch?: typeof fetch; resolve?: (h: string) => Promise<string[]> } = {}) {
  return httpGet(url, {
    fetch: o.fetch ?? fetch,
    signal: new AbortController().signal,
    maxBytes: 1_000_000,
    lease: fetchBudget(10_000_000).lease(),
    userAgent: "afk-test",
    validators: null,
    maxRedirects: 5,
    now: () => new Date(),
    ...(o.resolve ? { resolve: o.resolve } : {}),
  });
}

describe("a redirect into the private network", () => {
  test("a source configured on loopback may redirect to loopback (a feed on this host)", async () => {
    const a = server();
    const b = server();
    const r = await get(`http://127.0.0.1:${a.port}/to?u=http://127.0.0.1:${b.port}/feed`);
    expect(r.status).toBe(200);
    expect(b.asked).toEqual(["/feed"]);
  });

  test("a public source redirecting to loopback is refused, and the loopback target is never asked", async () => {
    const hop = server(); // stands in for the public feed host (DNS and the route to it are the test's)
    const inside = server();
    const publicHost = `feeds.example.org:${hop.port}`;
    const routed: typeof fetch = Object.assign(
      (input: string | URL | Request, init?: RequestInit) =>
        fetch(String(input).replace(`http://${publicHost}`, `http://127.0.0.1:${hop.port}`), init),
      { preconnect: fetch.preconnect },
    );
    const resolve = async (host: string) => (host === "feeds.example.org" ? ["93.184.216.34"] : []);
    const err = await get(`http://${publicHost}/to?u=http://127.0.0.1:${inside.port}/feed`, {
      fetch: routed,
      resolve,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedError);
    expect((err as FeedError).code).toBe("redirects");
    expect((err as FeedError).message).toContain("a private or loopback address) refused");
    expect(hop.asked).toEqual(["/to"]);
    expect(inside.asked).toEqual([]);
  });

  test("a public source redirecting to a name that resolves to the metadata address is refused", async () => {
    const hop = server();
    const routed: typeof fetch = Object.assign(
      (input: string | URL | Request, init?: RequestInit) =>
        fetch(String(input).replace("http://feeds.example.org", `http://127.0.0.1:${hop.port}`), init),
      { preconnect: fetch.preconnect },
    );
    const resolve = async (host: string) =>
      host === "feeds.example.org"
        ? ["93.184.216.34"]
        : host === "metadata.internal"
          ? ["169.254.169.254"]
          : [];
    const err = await get("http://feeds.example.org/to?u=http://metadata.internal/latest/meta-data/", {
      fetch: routed,
      resolve,
    }).catch((e: unknown) => e);
    expect((err as FeedError).message).toContain("redirect to metadata.internal (169.254.169.254");
  });

  test.each([
    ["127.0.0.1", true],
    ["10.1.2.3", true],
    ["172.20.0.1", true],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["0.0.0.0", true],
    ["::1", true],
    ["fe80::1", true],
    ["fd00::1", true],
    ["::ffff:127.0.0.1", true],
    ["::ffff:a9fe:a9fe", true],
    ["93.184.216.34", false],
    ["2606:2800:220:1:248:1893:25c8:1946", false],
  ])("%p is private: %p", (address, want) => {
    expect(isPrivateAddress(address)).toBe(want);
  });
});
