import type { Server } from "bun";

/** A loopback feed server for tests: a route table, a request log, and byte counters. */
export interface FeedServer {
  server: Server<undefined>;
  url(path: string): string;
  /** Requests seen, in order: path and request headers. */
  requests: { path: string; headers: Headers }[];
  /** Bytes handed to the socket by streaming routes, by path. */
  sent: Map<string, number>;
  stop(): Promise<void>;
}

export type Route = (req: Request, srv: FeedServer) => Response | Promise<Response>;

/** Starts `Bun.serve` on 127.0.0.1 with an OS-chosen port. Unknown paths are 404. */
export function startFeedServer(routes: Record<string, Route>): FeedServer {
  const requests: FeedServer["requests"] = [];
  const sent = new Map<string, number>();
  const self = { requests, sent } as FeedServer;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 30,
    fetch(req) {
      const path = new URL(req.url).pathname;
      requests.push({ path, headers: req.headers });
      const route = routes[path];
      return route ? route(req, self) : new Response("not found", { status: 404 });
    },
  });
  self.server = server;
  self.url = (path) => `http://127.0.0.1:${server.port}${path}`;
  self.stop = () => server.stop(true);
  return self;
}

/** A response streaming `total` bytes of `fill` in 64 KiB chunks, only as fast as the client reads. */
export function streamBytes(srv: FeedServer, path: string, total: number, prefix: string): Response {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const head = new TextEncoder().encode(prefix);
  let produced = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = produced === 0 ? head : chunk;
      if (produced >= total) return controller.close();
      controller.enqueue(next);
      produced += next.byteLength;
      srv.sent.set(path, produced);
    },
  });
  return new Response(body, { headers: { "content-type": "application/rss+xml" } });
}

/**
 * A response sending `bytes` in 64 KiB chunks as the client reads, then holding the connection open
 * (the client cannot know the body is complete) until `release` resolves. `onCancel` runs if the
 * client drops it first.
 */
export function heldBytes(bytes: Uint8Array, release: Promise<void>, onCancel: () => void): Response {
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (offset < bytes.byteLength) {
        controller.enqueue(bytes.subarray(offset, offset + 64 * 1024));
        offset += 64 * 1024;
        return;
      }
      await release;
      controller.close();
    },
    cancel: onCancel,
  });
  return new Response(body, { headers: { "content-type": "application/rss+xml" } });
}

/** A response that sends one byte of `text` per `intervalMs`, forever unless the client leaves. */
export function trickle(text: string, intervalMs: number): Response {
  const bytes = new TextEncoder().encode(text);
  let i = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      timer = setInterval(() => {
        try {
          controller.enqueue(bytes.subarray(i % bytes.length, (i % bytes.length) + 1));
          i++;
        } catch {
          clearInterval(timer);
        }
      }, intervalMs);
    },
    cancel() {
      clearInterval(timer);
    },
  });
  return new Response(body, { headers: { "content-type": "application/rss+xml" } });
}

/** A small valid RSS 2.0 feed with one item per title. */
export function rss(title: string, items: { guid: string; title: string; link?: string }[] = []): string {
  const body = items
    .map(
      (i) =>
        `<item><guid>${i.guid}</guid><title>${i.title}</title>${i.link ? `<link>${i.link}</link>` : ""}</item>`,
    )
    .join("");
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${title}</title>${body}</channel></rss>`;
}
