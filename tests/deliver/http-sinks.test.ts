import { afterEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/run.ts";
import { deliverNow } from "../../src/deliver/now.ts";
import { outboxRow } from "../../src/deliver/outbox.ts";
import { deliverHome, tickAndDeliver } from "./home.ts";
import { startReceiver } from "./servers.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SLOT = "2026-11-24T07:00:00.000Z";
const TOKEN = "tk_live_abcdef123456";

function everythingWritten(
  h: { home: string; out: string[]; err: string[] },
  app: ReturnType<ReturnType<typeof deliverHome>["app"]>,
) {
  const day = join(h.home, "runs", "2026-11-24");
  const traces = readdirSync(day).map((f) => readFileSync(join(day, f), "utf8"));
  const rows = app.db().query("SELECT * FROM deliver_outbox").all();
  return [...traces, JSON.stringify(rows), ...h.out, ...h.err].join("\n");
}

describe("ntfy and webhooks through real HTTP servers on loopback", () => {
  test("ntfy: the Markdown as body, Title (RFC 2047), Markdown: yes, the bearer token and the Idempotency-Key", async () => {
    const rx = startReceiver();
    const h = deliverHome([`{ id: phone, kind: ntfy, url: "${rx.url}/my-digest", token_env: NTFY_TOKEN }`], {
      NTFY_TOKEN: TOKEN,
    });
    cleanups.push(rx.stop, h.cleanup);
    const app = h.app();
    await tickAndDeliver(app);
    expect(rx.received).toHaveLength(1);
    const req = rx.received[0];
    expect(req?.path).toBe("/my-digest");
    expect(req?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req?.headers.markdown).toBe("yes");
    expect(req?.headers.title).toBe(
      `=?UTF-8?B?${Buffer.from("test-digest — 2026-11-24").toString("base64")}?=`,
    );
    const row = outboxRow(app.db(), SLOT, "phone");
    expect(req?.headers["idempotency-key"]).toBe(row?.delivery_id ?? "missing");
    expect(req?.body).toStartWith("# test-digest — 2026-11-24\n");
    expect(row).toMatchObject({ status: "sent", attempts: 1 });
    expect(everythingWritten(h, app)).not.toContain(TOKEN);
  });

  test("webhook json: the whole digest as { id, spec, slot, title, markdown, html, out_path }", async () => {
    const rx = startReceiver();
    const h = deliverHome([`{ id: chat, kind: webhook, url: "${rx.url}/afk", format: json }`]);
    cleanups.push(rx.stop, h.cleanup);
    const app = h.app();
    const s = await tickAndDeliver(app);
    const req = rx.received[0];
    expect(req?.headers["content-type"]).toStartWith("application/json");
    const body = JSON.parse(req?.body ?? "{}");
    expect(Object.keys(body).sort()).toEqual(["html", "id", "markdown", "out_path", "slot", "spec", "title"]);
    expect(body).toMatchObject({
      spec: "test-digest",
      slot: SLOT,
      title: "test-digest — 2026-11-24",
      out_path: s.outPath,
    });
    expect(body.id).toBe(req?.headers["idempotency-key"]);
    expect(body.markdown).toBe(readFileSync(join(h.home, s.outPath ?? ""), "utf8"));
    expect(body.html).toContain("Why 1 &lt; 2 &amp;&amp; 3 &gt; 2");
  });

  test("webhook slack: { text } in mrkdwn, links as <url|label>, & < > escaped", async () => {
    const rx = startReceiver();
    const h = deliverHome([
      `{ id: chat, kind: webhook, url: "${rx.url}/services/T000/B000/XXXX", format: slack }`,
    ]);
    cleanups.push(rx.stop, h.cleanup);
    await tickAndDeliver(h.app());
    const body = JSON.parse(rx.received[0]?.body ?? "{}");
    expect(Object.keys(body)).toEqual(["text"]);
    expect(body.text).toStartWith("*test-digest — 2026-11-24*\n");
    expect(body.text).toContain("*<https://example.org/a1|Why 1 &lt; 2 &amp;&amp; 3 &gt; 2>*");
  });

  test("webhook url_env: the URL comes from the host variable and reaches no trace, ledger row, log line, status or spec file", async () => {
    const rx = startReceiver([503]);
    const secretPath = "/services/T0SECRET/B0SECRET/xoxbSecretPart";
    const h = deliverHome([`{ id: chat, kind: webhook, url_env: SLACK_HOOK_URL, format: slack }`], {
      SLACK_HOOK_URL: `${rx.url}${secretPath}`,
    });
    cleanups.push(rx.stop, h.cleanup);
    const app = h.app();
    await tickAndDeliver(app); // 503: retried later, the error recorded
    expect(outboxRow(app.db(), SLOT, "chat")).toMatchObject({ status: "pending", last_outcome: "transient" });
    h.clock.set("2026-11-24T08:00:00Z");
    expect(await run(["deliver", "--spec", h.spec], h.deps)).toBe(0);
    expect(rx.received.map((r) => r.path)).toEqual([secretPath, secretPath]);
    expect(JSON.parse(rx.received[1]?.body ?? "{}").text).toStartWith("*test-digest — 2026-11-24*");
    expect(await run(["status", "--json", "--spec", h.spec], h.deps)).toBe(0);
    expect(await run(["status", "--spec", h.spec], h.deps)).toBe(0);
    const snapshot = JSON.parse(h.out.find((l) => l.startsWith("{")) ?? "{}");
    expect(snapshot.deliver.sinks.map((s: { id: string }) => s.id)).toEqual(["chat"]);
    const all = [everythingWritten(h, app), readFileSync(h.spec, "utf8"), app.loaded.hash].join("\n");
    for (const piece of ["T0SECRET", "B0SECRET", "xoxbSecretPart"]) expect(all).not.toContain(piece);
  });

  test("webhook discord: { username, embeds: [{ title, description, timestamp }] }", async () => {
    const rx = startReceiver();
    const h = deliverHome([
      `{ id: chat, kind: webhook, url: "${rx.url}/api/webhooks/1/abc", format: discord }`,
    ]);
    cleanups.push(rx.stop, h.cleanup);
    await tickAndDeliver(h.app());
    const body = JSON.parse(rx.received[0]?.body ?? "{}");
    expect(body.username).toBe("afk");
    expect(body.embeds).toHaveLength(1);
    expect(body.embeds[0].title).toBe("test-digest — 2026-11-24");
    expect(body.embeds[0].timestamp).toBe("2026-11-24T07:00:00.000Z");
    expect(body.embeds[0].description).toContain("(https://example.org/a2)");
  });

  test.each([
    [503, "transient"],
    [429, "transient"],
    [408, "transient"],
  ] as const)(
    "HTTP %d is transient: retried after the backoff with the same Idempotency-Key",
    async (code, outcome) => {
      const rx = startReceiver([code]);
      const h = deliverHome([`{ id: chat, kind: webhook, url: "${rx.url}/afk" }`]);
      cleanups.push(rx.stop, h.cleanup);
      const app = h.app();
      await tickAndDeliver(app);
      const row = outboxRow(app.db(), SLOT, "chat");
      expect(row).toMatchObject({ status: "pending", attempts: 1, last_outcome: outcome });
      expect(row?.last_error).toStartWith(`HTTP ${code}`);
      h.clock.set(row?.next_attempt_at ?? "");
      await deliverNow(app);
      expect(outboxRow(app.db(), SLOT, "chat")).toMatchObject({ status: "sent", attempts: 2 });
      expect(rx.received.map((r) => r.headers["idempotency-key"])).toEqual([
        row?.delivery_id,
        row?.delivery_id,
      ]);
    },
  );

  test("a 429's Retry-After sets the next attempt when it asks for longer than the backoff", async () => {
    const rx = startReceiver([[429, "600"]]);
    const h = deliverHome([`{ id: chat, kind: webhook, url: "${rx.url}/afk" }`]);
    cleanups.push(rx.stop, h.cleanup);
    const app = h.app();
    await tickAndDeliver(app);
    expect(outboxRow(app.db(), SLOT, "chat")?.next_attempt_at).toBe("2026-11-24T07:10:00.000Z");
  });

  test.each([400, 401, 404, 410])(
    "HTTP %d is permanent: never retried, the alert names the sink",
    async (code) => {
      const rx = startReceiver([code]);
      const h = deliverHome(
        [`{ id: chat, kind: webhook, url: "${rx.url}/hooks/s3cretpath", token_env: HOOK_TOKEN }`],
        {
          HOOK_TOKEN: TOKEN,
        },
      );
      cleanups.push(rx.stop, h.cleanup);
      const app = h.app();
      await tickAndDeliver(app);
      expect(outboxRow(app.db(), SLOT, "chat")).toMatchObject({
        status: "failed",
        attempts: 1,
        last_outcome: "permanent",
      });
      h.clock.set("2026-11-25T07:00:00Z");
      expect(await deliverNow(app)).toEqual([]);
      expect(rx.received).toHaveLength(1);
      expect(h.err.join("\n")).toContain("could not deliver to 'chat'");
      const all = everythingWritten(h, app);
      expect(all).not.toContain(TOKEN);
      expect(all).not.toContain("s3cretpath");
    },
  );

  test("a receiver that is down is transient, and the error names no secret part of the URL", async () => {
    const rx = startReceiver();
    const url = `${rx.url}/hooks/s3cretpath?key=k3y-value`;
    rx.stop();
    const h = deliverHome([`{ id: chat, kind: webhook, url: "${url}" }`]);
    cleanups.push(h.cleanup);
    const app = h.app();
    const s = await tickAndDeliver(app);
    expect(s.outPath).not.toBeNull(); // the digest is never lost to a sink
    const row = outboxRow(app.db(), SLOT, "chat");
    expect(row).toMatchObject({ status: "pending", last_outcome: "transient" });
    const all = everythingWritten(h, app);
    expect(all).not.toContain("s3cretpath");
    expect(all).not.toContain("k3y-value");
  });
});
