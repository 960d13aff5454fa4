import { afterEach, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAtomFeed } from "feedsmith";
import { pidAlive } from "../../src/core/pid.ts";
import { outboxRow } from "../../src/deliver/outbox.ts";
import { startDeliveryWorker } from "../../src/deliver/worker.ts";
import { deliverHome, tickAndDeliver } from "./home.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SLOT = "2026-11-24T07:00:00.000Z";

test("serve's worker keeps out/digests.atom current and sends a row when its backoff runs out, between ticks", async () => {
  let second: (key: string | null) => void = () => {};
  const retried = new Promise<string | null>((r) => {
    second = r;
  });
  let calls = 0;
  const rx = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      await req.text();
      calls++;
      if (calls === 1) return new Response("busy", { status: 503 });
      second(req.headers.get("idempotency-key"));
      return new Response("ok");
    },
  });
  const h = deliverHome([`{ id: chat, kind: webhook, url: "http://127.0.0.1:${rx.port}/afk" }`]);
  cleanups.push(() => rx.stop(true), h.cleanup);
  const app = h.app();
  await tickAndDeliver(app);
  const pending = outboxRow(app.db(), SLOT, "chat");
  expect(pending).toMatchObject({ status: "pending", attempts: 1 });

  // The test's hand on time: the worker asks to sleep until the row is due; the test moves the clock.
  let asked: (at: Date) => void = () => {};
  const firstWait = new Promise<Date>((r) => {
    asked = r;
  });
  let release: () => void = () => {};
  const worker = startDeliveryWorker(app, {
    isAlive: pidAlive,
    waitUntil(at, signal) {
      asked(at);
      return new Promise<void>((resolve) => {
        release = resolve;
        signal.addEventListener("abort", () => resolve(), { once: true });
      });
    },
  });
  const at = await firstWait;
  expect(at.toISOString()).toBe(pending?.next_attempt_at ?? "");
  const feedPath = join(h.home, "out", "digests.atom");
  expect(existsSync(feedPath)).toBe(true);
  expect(parseAtomFeed(readFileSync(feedPath, "utf8")).entries).toHaveLength(1);

  h.clock.set(at);
  release();
  expect(await retried).toBe(pending?.delivery_id ?? "missing");
  await worker.stop();
  expect(outboxRow(app.db(), SLOT, "chat")).toMatchObject({ status: "sent", attempts: 2 });
  expect(calls).toBe(2);
  const trace = readFileSync(join(h.home, "runs", "2026-11-24", "trace.jsonl"), "utf8");
  expect(trace).toContain('"name":"deliver_retry"');
});
