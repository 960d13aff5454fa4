/**
 * A tiny HTTP load client, run as its own process so it does not share the server's event
 * loop: `bun bench/load.ts URL SECONDS CONNECTIONS` prints `{"requests":N,"seconds":S,"errors":E}`.
 */
const [url = "", secondsArg = "5", connArg = "32"] = process.argv.slice(2);
const seconds = Number(secondsArg);
const connections = Number(connArg);
let requests = 0;
let errors = 0;
const stopAt = performance.now() + seconds * 1000;
async function worker(): Promise<void> {
  while (performance.now() < stopAt) {
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.ok) requests++;
      else errors++;
    } catch {
      errors++;
    }
  }
}
const t = performance.now();
await Promise.all(Array.from({ length: connections }, worker));
process.stdout.write(`${JSON.stringify({ requests, seconds: (performance.now() - t) / 1000, errors })}\n`);

export {};
