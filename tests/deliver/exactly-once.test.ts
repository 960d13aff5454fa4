import { afterEach, describe, expect, test } from "bun:test";
import { deliverNow } from "../../src/deliver/now.ts";
import { outboxRow } from "../../src/deliver/outbox.ts";
import { runAfk, startAfk } from "../../src/evidence/afk-child.ts";
import { deliverHome, tickAndDeliver, writeFeed } from "./home.ts";
import { startReceiver } from "./servers.ts";

/** Real child processes start slowly on a loaded 2-core machine: room beyond bun's 5 s default (not a speed bound). */
const CHILD_TIMEOUT_MS = 60_000;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SLOT = "2026-11-24T07:00:00.000Z";

/** A receiver that holds every request open until released, and says when one has arrived. */
function holdingReceiver() {
  let arrived: (key: string) => void = () => {};
  const first = new Promise<string>((r) => {
    arrived = r;
  });
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      await req.text();
      arrived(req.headers.get("idempotency-key") ?? "");
      return await new Promise<Response>(() => {}); // never answers: the sender is killed first
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, first, stop: () => server.stop(true) };
}

describe("each slot reaches each sink exactly once on success", () => {
  test(
    "afk tick (a real process) delivers; afk tick --force for the same slot writes a new digest and sends nothing",
    async () => {
      const rx = startReceiver();
      const h = deliverHome([`{ id: chat, kind: webhook, url: "${rx.url}/afk", token_env: HOOK_TOKEN }`]);
      cleanups.push(rx.stop, h.cleanup);
      const env = { HOOK_TOKEN: "tk_cli_98765" };
      const tick = async (...flags: string[]) => {
        const { code, out, err } = await runAfk(["tick", "--spec", h.spec, ...flags], { home: h.home, env });
        return { code, text: out + err };
      };
      const first = await tick();
      expect(first.code).toBe(0);
      expect(rx.received).toHaveLength(1);
      expect(rx.received[0]?.headers.authorization).toBe("Bearer tk_cli_98765");
      writeFeed(h.specDir, [{ id: "c1", title: "Another one" }]);
      const forced = await tick("--force");
      expect(forced.code).toBe(0);
      // the earlier digest is kept; the re-run's lands beside it (issue 13: no digest lost)
      expect(forced.text).toMatch(/digest: out\/test-digest-\d{4}-\d{2}-\d{2}-\d{4}\.v2\.md/);
      expect(rx.received).toHaveLength(1);
      expect(first.text + forced.text).not.toContain("tk_cli_98765");
    },
    CHILD_TIMEOUT_MS,
  );

  test("a --force re-run writes a new digest for the slot but sends nothing again to a sink that has it", async () => {
    const rx = startReceiver();
    const h = deliverHome([`{ id: chat, kind: webhook, url: "${rx.url}/afk" }`]);
    cleanups.push(rx.stop, h.cleanup);
    const app = h.app();
    const first = await tickAndDeliver(app);
    expect(rx.received).toHaveLength(1);
    writeFeed(h.specDir, [
      { id: "b1", title: "Fresh one" },
      { id: "b2", title: "Fresh two" },
    ]);
    const again = await tickAndDeliver(app, true);
    // the earlier digest is kept; the re-run's lands beside it (issue 13: no digest lost)
    expect(again.outPath).toBe(first.outPath?.replace(/\.md$/, ".v2.md") ?? "");
    expect(again.tickId).not.toBe(first.tickId);
    await deliverNow(app, { all: true });
    expect(rx.received).toHaveLength(1);
    expect(outboxRow(app.db(), SLOT, "chat")).toMatchObject({
      status: "sent",
      attempts: 1,
      tick_id: first.tickId,
    });
  });

  test(
    "a process SIGKILLed between sending and recording: the next run re-sends under the same Idempotency-Key, then never again",
    async () => {
      const down = startReceiver([503]);
      const hold = holdingReceiver();
      const up = startReceiver();
      // One sink, its receiver changed between runs by editing the spec: down, then holding, then up.
      const h = deliverHome([`{ id: chat, kind: webhook, url: "http://127.0.0.1:1/afk" }`]);
      cleanups.push(down.stop, hold.stop, up.stop, h.cleanup);
      const specAt = async (url: string) => {
        const text = await Bun.file(h.spec).text();
        await Bun.write(h.spec, text.replace(/url: "http:\/\/127\.0\.0\.1:\d+\/afk"/, `url: "${url}/afk"`));
      };

      await specAt(down.url);
      const app = h.app();
      await tickAndDeliver(app); // 503: the row waits, pending
      const row = outboxRow(app.db(), SLOT, "chat");
      expect(row).toMatchObject({ status: "pending", attempts: 1 });
      app.close();

      await specAt(hold.url);
      const child = startAfk(["deliver", "--spec", h.spec], { home: h.home });
      const key = await hold.first; // the receiver has the digest; the sender has not recorded it
      child.kill("SIGKILL");
      expect(await child.exited).not.toBe(0);
      expect(key).toBe(row?.delivery_id ?? "missing");

      await specAt(up.url);
      const later = h.app();
      expect(outboxRow(later.db(), SLOT, "chat")).toMatchObject({ status: "sending", attempts: 1 });
      const r = await deliverNow(later, { all: true });
      expect(r).toEqual([{ slot: SLOT, sink: "chat", status: "sent", attempts: 2, error: null }]);
      expect(up.received.map((q) => q.headers["idempotency-key"])).toEqual([key]);

      expect(await deliverNow(later, { all: true })).toEqual([]);
      h.clock.set("2026-11-30T07:00:00Z");
      expect(await deliverNow(later, { all: true })).toEqual([]);
      expect(up.received).toHaveLength(1);
    },
    CHILD_TIMEOUT_MS,
  );
});
