import { afterEach, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { makeRedactor } from "../../src/core/redact.ts";
import { createStatusApp } from "../../src/status/app.tsx";
import { closedPort } from "../factory/helpers.ts";
import { deliverHome, tickAndDeliver } from "./home.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SECRET_PATH = "/services/T0123ABCD/B0456EFGH/xyzSecretToken1234";

test("a URL secret hides its path, query and credentials, never its scheme and host, which are in every other URL", () => {
  const redact = makeRedactor([
    `https://hooks.slack.com${SECRET_PATH}`,
    "smtp://mailer:pw-s3cret-9@smtp.example.org:587",
  ]);
  expect(redact(`POST https://hooks.slack.com${SECRET_PATH}: 404`)).toBe(
    "POST https://hooks.slack.com[redacted]: 404",
  );
  expect(redact("535 auth as mailer with pw-s3cret-9 rejected")).toBe(
    "535 auth as [redacted] with [redacted] rejected",
  );
  for (const plain of [
    '<a href="https://sqlite.example.org/releaselog/3_51_0.html">',
    "status page: http://127.0.0.1:8787",
    "deliver inbox: smtp.example.org:587 connected",
  ])
    expect(redact(plain)).toBe(plain);
});

test("the README's url_env webhook (an https URL) leaves the digest's https links on the page and in the feed", async () => {
  const hook = `https://127.0.0.1:${closedPort()}${SECRET_PATH}`;
  const h = deliverHome(
    ["{ id: team, kind: webhook, url_env: TEAM_HOOK_URL, format: slack, timeout_s: 2 }"],
    {
      TEAM_HOOK_URL: hook,
    },
  );
  cleanups.push(h.cleanup);
  const app = h.app();
  const summary = await tickAndDeliver(app);
  expect(summary.outPath).not.toBeNull();

  const web = createStatusApp({ app, handle: null });
  const page = await (await web.request("http://afk.test/")).text();
  const feed = await (await web.request("http://afk.test/digests.atom")).text();
  const outbox = JSON.stringify(app.db().query("SELECT * FROM deliver_outbox").all());
  const day = join(h.home, "runs", "2026-11-24");
  const traces = readdirSync(day).map((f) => readFileSync(join(day, f), "utf8"));

  const link = (text: string) => /href="[^"]*example\.org\/a1"/.exec(text)?.[0];
  expect(link(page)).toBe('href="https://example.org/a1"');
  expect(link(feed.replaceAll("&quot;", '"'))).toBe('href="https://example.org/a1"');
  expect(/<link rel="self"[^>]*>/.exec(feed)?.[0]).toContain('href="http://afk.test/digests.atom"');
  // the sink's send was refused (nothing listens there): no trace, row, log or page names its path
  for (const text of [page, feed, outbox, ...traces, ...h.out, ...h.err]) {
    expect(text).not.toContain("xyzSecretToken1234");
    expect(text).not.toContain("T0123ABCD");
  }
});
