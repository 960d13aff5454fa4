import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server, type Socket } from "node:net";
import { framedLength } from "../../src/sources/http.ts";
import { fetchSources } from "../../src/sources/index.ts";
import { contextFor, loadedWith, tempDir } from "./helpers.ts";
import { rss } from "./server.ts";

/*
 * A body framed by its Content-Length is read whole (http.ts readBody); everything else streams
 * under the caps. These hold the fast read to the same limits: the source's timeout, max_bytes and
 * the tick's fetch budget, whatever the headers claim. The server is raw TCP, so it can lie.
 */

const FEED = rss("Framed", [{ guid: "f1", title: "whole" }]);

/** Raw HTTP/1.1 answers by path: a head and what follows it; `stall` keeps the socket open after. */
const ROUTES: Record<string, { head: string; body: string; stall?: boolean }> = {
  "/framed.xml": { head: `Content-Length: ${Buffer.byteLength(FEED)}`, body: FEED },
  "/stalls.xml": { head: "Content-Length: 100000", body: FEED.slice(0, 40), stall: true },
  "/chunked-lies.xml": {
    head: "Content-Length: 10\r\nTransfer-Encoding: chunked",
    body: `${(5000).toString(16)}\r\n${"x".repeat(5000)}\r\n0\r\n\r\n`,
  },
};

let server: Server;
let base = "";
const open = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    socket.on("error", () => {});
    socket.once("data", (data) => {
      const path = data.toString("latin1").split(" ")[1] ?? "";
      const route = ROUTES[path];
      if (!route) return socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      socket.write(
        `HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n${route.head}\r\n\r\n${route.body}`,
      );
      if (!route.stall) socket.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(async () => {
  for (const s of open) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe("framedLength: when a body may be read whole", () => {
  test.each([
    ["a plain Content-Length within max_bytes", { "content-length": "812" }, 812],
    ["a Content-Length of exactly max_bytes", { "content-length": "1000" }, 1000],
    ["no Content-Length", {}, null],
    ["a Content-Length over max_bytes", { "content-length": "1001" }, null],
    ["a Content-Length that is not a number", { "content-length": "12abc" }, null],
    [
      "a chunked body, whatever its Content-Length says",
      { "content-length": "5", "transfer-encoding": "chunked" },
      null,
    ],
    ["an encoded body (any size once decoded)", { "content-length": "5", "content-encoding": "gzip" }, null],
  ])("%s", (_name, headers, expected) => {
    expect(framedLength(new Headers(headers), 1000)).toBe(expected);
  });
});

describe("a body framed by its Content-Length, read whole from a real socket", () => {
  test("is parsed like any other", async () => {
    const { ctx } = contextFor(loadedWith([{ id: "framed", url: `${base}/framed.xml` }], tempDir()));
    const [r] = await fetchSources(ctx);
    expect(r).toMatchObject({ ok: true, items: [{ identity: "f1", title: "whole" }] });
  });

  test("that stalls before its declared length ends at the source's timeout", async () => {
    const { ctx } = contextFor(
      loadedWith([{ id: "stalls", url: `${base}/stalls.xml`, timeout_s: 0.5 }], tempDir()),
    );
    const [r] = await fetchSources(ctx);
    expect(r).toMatchObject({ ok: false, code: "timeout" });
  });

  test("a chunked body under a small Content-Length is still capped at max_bytes", async () => {
    const { ctx } = contextFor(
      loadedWith([{ id: "lies", url: `${base}/chunked-lies.xml`, max_bytes: 1000 }], tempDir()),
    );
    const [r] = await fetchSources(ctx);
    expect(r).toMatchObject({ ok: false, code: "too_large" });
    expect(r?.ok ? "" : r?.error).toContain("max_bytes (1000 bytes)");
  });

  test("a declared length the tick's fetch budget cannot hold fails too_large naming the budget", async () => {
    const { ctx } = contextFor(
      loadedWith([{ id: "framed", url: `${base}/framed.xml` }], tempDir(), { fetch_buffer_bytes: 100 }),
    );
    const [r] = await fetchSources(ctx);
    expect(r).toMatchObject({ ok: false, code: "too_large" });
    expect(r?.ok ? "" : r?.error).toContain("tick fetch budget exceeded");
  });
});
