import { afterEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { deliverNow } from "../../src/deliver/now.ts";
import { outboxRow } from "../../src/deliver/outbox.ts";
import { deliverHome, tickAndDeliver } from "./home.ts";
import { startSilent, startSmtp } from "./servers.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SLOT = "2026-11-24T07:00:00.000Z";
const inbox = (extra = "") =>
  `{ id: inbox, kind: email, to: ["me@example.org"], from: "afk <afk@example.org>", smtp_url_env: AFK_SMTP_URL${extra} }`;

function traceText(home: string): string {
  const day = join(home, "runs", "2026-11-24");
  return readdirSync(day)
    .map((f) => readFileSync(join(day, f), "utf8"))
    .join("");
}

describe("email through a real SMTP server on loopback", () => {
  test("a tick sends one multipart message: AUTH, subject from title and date, Date, Message-ID from slot and sink, escaped HTML", async () => {
    const smtp = await startSmtp();
    const h = deliverHome([inbox()], { AFK_SMTP_URL: smtp.url });
    cleanups.push(smtp.stop, h.cleanup);
    const s = await tickAndDeliver(h.app());
    expect(s.outPath).not.toBeNull();
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0];
    expect(mail?.user).toBe("afk");
    expect(mail?.to).toEqual(["me@example.org"]);
    const raw = mail?.raw ?? "";
    // "test-digest — 2026-11-24", RFC 2047 encoded for its em dash
    expect(raw).toContain("Subject: =?UTF-8?Q?test-digest_=E2=80=94_2026-11-24?=");
    expect(raw).toMatch(/^Date: Tue, 24 Nov 2026 07:00:00 \+0000/m);
    expect(raw).toMatch(/^Message-ID: <afk-[0-9a-f]{32}@example\.org>/m);
    expect(raw).toMatch(/Content-Type: multipart\/alternative/);
    expect(raw).toMatch(/Content-Type: text\/plain/);
    expect(raw).toMatch(/Content-Type: text\/html/);
    // The feed's "<" and "&" are text in both parts: escaped Markdown, escaped HTML, never markup.
    const decoded = raw
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/g, (_, x) => String.fromCharCode(Number.parseInt(x, 16)));
    expect(decoded).toContain("Why 1 \\< 2 && 3 \\> 2"); // text/plain: the Markdown
    expect(decoded).toContain("Why 1 &lt; 2 &amp;&amp; 3 &gt; 2"); // text/html
    expect(decoded).not.toContain("1 < 2 && 3 > 2");
    const row = outboxRow(h.app().db(), SLOT, "inbox");
    expect(row).toMatchObject({ status: "sent", attempts: 1, last_error: null });
  });

  test("a 451 is transient: the row waits out its backoff, then the next attempt sends with the same Message-ID", async () => {
    const smtp = await startSmtp([451]);
    const h = deliverHome([inbox()], { AFK_SMTP_URL: smtp.url });
    cleanups.push(smtp.stop, h.cleanup);
    const app = h.app();
    await tickAndDeliver(app);
    expect(smtp.rejected).toEqual([451]);
    const first = outboxRow(app.db(), SLOT, "inbox");
    expect(first).toMatchObject({ status: "pending", attempts: 1, last_outcome: "transient" });
    expect(first?.last_error).toContain("451");
    expect(await deliverNow(app)).toEqual([]); // not due yet
    h.clock.set(first?.next_attempt_at ?? "");
    const r = await deliverNow(app);
    expect(r).toEqual([{ slot: SLOT, sink: "inbox", status: "sent", attempts: 2, error: null }]);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]?.raw).toContain(`Message-ID: <${first?.delivery_id}@example.org>`);
  });

  test("a 550 is permanent: no retry, the row fails at once and the watchdog names the sink", async () => {
    const smtp = await startSmtp([550]);
    const h = deliverHome([inbox()], { AFK_SMTP_URL: smtp.url });
    cleanups.push(smtp.stop, h.cleanup);
    const app = h.app();
    await tickAndDeliver(app);
    const row = outboxRow(app.db(), SLOT, "inbox");
    expect(row).toMatchObject({ status: "failed", attempts: 1, last_outcome: "permanent" });
    expect(row?.alerted_at).not.toBeNull();
    expect(h.err.join("\n")).toContain("could not deliver to 'inbox'");
    h.clock.set("2026-11-25T07:00:00Z");
    expect(await deliverNow(app)).toEqual([]);
    expect(smtp.rejected).toEqual([550]);
  });

  test("wrong credentials (535) are permanent, and the password appears in no row, trace or log line", async () => {
    const smtp = await startSmtp();
    const url = smtp.url.replace("s3cret-pw", "wr0ng-pass");
    const h = deliverHome([inbox()], { AFK_SMTP_URL: url });
    cleanups.push(smtp.stop, h.cleanup);
    const app = h.app();
    await tickAndDeliver(app);
    const row = outboxRow(app.db(), SLOT, "inbox");
    expect(row).toMatchObject({ status: "failed", last_outcome: "permanent" });
    expect(row?.last_error).toContain("535");
    const everything = [JSON.stringify(row), traceText(h.home), h.err.join("\n"), h.out.join("\n")].join(
      "\n",
    );
    expect(everything).not.toContain("wr0ng-pass");
    expect(everything).toContain("inbox");
  });

  test("a server that accepts and never answers is cut at the sink's timeout: transient, retried", async () => {
    const silent = await startSilent();
    const h = deliverHome([inbox(", timeout_s: 0.3")], {
      AFK_SMTP_URL: `smtp://afk:pw@127.0.0.1:${silent.port}`,
    });
    cleanups.push(silent.stop, h.cleanup);
    const app = h.app();
    await tickAndDeliver(app);
    expect(silent.accepted()).toBe(1);
    const row = outboxRow(app.db(), SLOT, "inbox");
    expect(row).toMatchObject({ status: "pending", attempts: 1, last_outcome: "transient" });
    expect(row?.last_error).toContain("no answer within the sink's timeout (300 ms)");
  });

  test("after max_attempts transient failures the row fails and the alert names the sink", async () => {
    const h = deliverHome([inbox(", max_attempts: 2, timeout_s: 2")], {
      AFK_SMTP_URL: "smtp://afk:pw@127.0.0.1:1",
    });
    cleanups.push(h.cleanup);
    const app = h.app();
    await tickAndDeliver(app);
    const first = outboxRow(app.db(), SLOT, "inbox");
    expect(first).toMatchObject({ status: "pending", attempts: 1, last_outcome: "transient" });
    h.clock.set(first?.next_attempt_at ?? "");
    await deliverNow(app);
    expect(outboxRow(app.db(), SLOT, "inbox")).toMatchObject({ status: "failed", attempts: 2 });
    expect(h.err.join("\n")).toMatch(/sink 'inbox' \(email\) slot 2026-11-24T07:00:00\.000Z: failed 2 times/);
  });
});
