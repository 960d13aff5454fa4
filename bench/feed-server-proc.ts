/**
 * The soak's loopback feed server in a process of its own, so a bench that measures afk's CPU
 * does not count the server's: `bun bench/feed-server-proc.ts DELAY_MS` prints its base URL,
 * then serves until SIGTERM.
 */
import { startFeedServer } from "../src/soak/feed-server.ts";

const feeds = startFeedServer({ delayMs: Number(process.argv[2] ?? "0") });
process.stdout.write(`${feeds.url}\n`);
process.on("SIGTERM", () => {
  feeds.stop().then(() => process.exit(0));
});
