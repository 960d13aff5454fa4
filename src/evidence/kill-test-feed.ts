import { untilAborted } from "../core/wait.ts";
/** A loopback RSS feed for kill-test: answers at once, or holds answers until released. */
export interface KillTestFeed {
  url: string;
  received(): number;
  /** Resolves when the n-th request has arrived (the tick is then inside its fetch step). */
  waitForRequests(n: number): Promise<void>;
  hold(): void;
  release(): void;
  stop(): void;
}

function rss(): string {
  const items = [1, 2, 3, 4]
    .map(
      (n) =>
        `<item><title>kill-test item ${n}</title><link>https://kill-test.invalid/${n}</link><guid>kill-test-${n}</guid><description>Item ${n} of the kill test feed.</description></item>`,
    )
    .join("");
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>kill-test</title><link>https://kill-test.invalid/</link><description>loopback</description>${items}</channel></rss>`;
}

export function startKillTestFeed(): KillTestFeed {
  let count = 0;
  let waiters: { n: number; resolve: () => void }[] = [];
  let gate: { promise: Promise<void>; open: () => void } | null = null;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(req) {
      count++;
      for (const w of waiters.filter((x) => count >= x.n)) w.resolve();
      waiters = waiters.filter((x) => count < x.n);
      if (gate) {
        const gone = untilAborted(req.signal);
        await Promise.race([gate.promise, gone]);
      }
      return new Response(rss(), { headers: { "content-type": "application/rss+xml" } });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/feed.xml`,
    received: () => count,
    waitForRequests: (n) =>
      count >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })),
    hold() {
      let open = () => {};
      const promise = new Promise<void>((resolve) => {
        open = resolve;
      });
      gate = { promise, open };
    },
    release() {
      gate?.open();
      gate = null;
    },
    stop: () => server.stop(true),
  };
}
