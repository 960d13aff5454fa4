import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/run.ts";
import { parseSpec } from "../../src/spec/load.ts";
import { REPO_SPEC_PATH } from "../../src/spec/resolve.ts";
import { deliverHome, tickAndDeliver } from "./home.ts";
import { startReceiver } from "./servers.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("the spec's deliver: key", () => {
  test("the built-in spec has no deliver: list (the default stays offline)", () => {
    const loaded = parseSpec(readFileSync(REPO_SPEC_PATH, "utf8"), "SPEC.md", "file", "/", { env: {} });
    expect(loaded.spec.deliver).toEqual([]);
  });

  test.each([
    [
      "an unknown kind",
      '{ id: pager, kind: pager, url: "https://example.org/x" }',
      {},
      /^ {2}line 16: deliver\[0\]\.kind: Invalid discriminator value\. Expected 'email' \| 'ntfy' \| 'webhook'$/m,
    ],
    [
      "a missing SMTP URL variable",
      '{ id: inbox, kind: email, to: ["me@example.org"], from: "afk <afk@example.org>", smtp_url_env: AFK_SMTP_URL }',
      {},
      /^ {2}line 16: deliver\[0\]\.smtp_url_env: environment variable AFK_SMTP_URL is not set$/m,
    ],
    [
      "an SMTP URL that is not smtp:// or smtps://",
      '{ id: inbox, kind: email, to: ["me@example.org"], from: "afk <afk@example.org>", smtp_url_env: AFK_SMTP_URL }',
      { AFK_SMTP_URL: "http://user:hunter2@mail" },
      /^ {2}line 16: deliver\[0\]\.smtp_url_env: environment variable AFK_SMTP_URL must be smtp:\/\/user:pass@host:587 or smtps:\/\/user:pass@host:465$/m,
    ],
    [
      "a missing token variable",
      '{ id: phone, kind: ntfy, url: "https://ntfy.sh/x", token_env: NTFY_TOKEN }',
      {},
      /^ {2}line 16: deliver\[0\]\.token_env: environment variable NTFY_TOKEN is not set$/m,
    ],
    [
      "a webhook format that does not exist",
      '{ id: chat, kind: webhook, url: "https://example.org/h", format: teams }',
      {},
      /^ {2}line 16: deliver\[0\]\.format: Invalid option: expected one of "json"\|"slack"\|"discord"$/m,
    ],
    [
      "a missing webhook URL variable",
      "{ id: chat, kind: webhook, url_env: SLACK_HOOK_URL, format: slack }",
      {},
      /^ {2}line 16: deliver\[0\]\.url_env: environment variable SLACK_HOOK_URL is not set$/m,
    ],
    [
      "a webhook URL variable that holds no http(s) URL",
      "{ id: chat, kind: webhook, url_env: SLACK_HOOK_URL }",
      { SLACK_HOOK_URL: "ftp://hunter2.example.org/x" },
      /^ {2}line 16: deliver\[0\]\.url_env: environment variable SLACK_HOOK_URL must hold an http:\/\/ or https:\/\/ URL$/m,
    ],
    [
      "both url and url_env",
      '{ id: chat, kind: webhook, url: "https://example.org/h", url_env: SLACK_HOOK_URL }',
      { SLACK_HOOK_URL: "https://hooks.example.org/x" },
      /^ {2}line 16: deliver\[0\]\.url_env: give url or url_env, not both$/m,
    ],
    [
      "neither url nor url_env",
      "{ id: phone, kind: ntfy }",
      {},
      /^ {2}line 16: deliver\[0\]\.url: give url, or url_env naming the variable that holds it$/m,
    ],
  ])(
    "%s is exit 2 at load, naming the field and its line, and nothing is written",
    async (_, sink, env, line) => {
      const h = deliverHome([], env as Record<string, string>);
      cleanups.push(h.cleanup);
      const text = readFileSync(h.spec, "utf8").replace("\n---\n", `\ndeliver:\n  - ${sink}\n---\n`);
      writeFileSync(h.spec, text);
      const at = text.split("\n").indexOf(`  - ${sink}`) + 1;
      expect(at).toBe(16);
      const code = await run(["tick", "--spec", h.spec], h.deps);
      expect(code).toBe(2);
      expect(h.err.join("\n")).toMatch(line);
      expect(h.err.join("\n")).not.toContain("hunter2");
      expect(existsSync(join(h.home, "ledger.sqlite"))).toBe(false);
      expect(existsSync(join(h.home, "out"))).toBe(false);
      expect(await run(["deliver", "--spec", h.spec], h.deps)).toBe(2);
      expect(await run(["serve", "--spec", h.spec], h.deps)).toBe(2);
      expect(existsSync(join(h.home, "ledger.sqlite"))).toBe(false);
    },
  );

  test("reading commands need no sink credentials: afk status works with the variable unset", async () => {
    const h = deliverHome(['{ id: phone, kind: ntfy, url: "https://ntfy.sh/x", token_env: NTFY_TOKEN }'], {
      NTFY_TOKEN: "tk_x",
    });
    cleanups.push(h.cleanup);
    delete (h.deps.env as Record<string, string | undefined>).NTFY_TOKEN;
    expect(await run(["status", "--spec", h.spec], h.deps)).toBe(0);
    expect(h.out).toContain("deliver phone (ntfy): last delivery never · 0 pending · 0 failed");
    expect(await run(["tick", "--spec", h.spec], h.deps)).toBe(2);
    expect(h.err.join("\n")).toContain("deliver[0].token_env: environment variable NTFY_TOKEN is not set");
  });
});

describe("afk deliver, afk status and /metrics", () => {
  test("afk deliver sends what is pending now and exits 0 when nothing is left; 1 while a sink is down", async () => {
    const rx = startReceiver([503, 503]);
    const h = deliverHome([`{ id: chat, kind: webhook, url: "${rx.url}/afk" }`]);
    cleanups.push(rx.stop, h.cleanup);
    await tickAndDeliver(h.app()); // 503 → pending
    expect(await run(["deliver", "--spec", h.spec], h.deps)).toBe(1); // 503 again, by hand
    expect(h.out.join("\n")).toContain(
      "deliver chat slot 2026-11-24T07:00:00.000Z: pending (attempt 2) — HTTP 503",
    );
    h.out.length = 0;
    expect(await run(["deliver", "--spec", h.spec], h.deps)).toBe(0);
    expect(h.out).toContain("deliver chat slot 2026-11-24T07:00:00.000Z: sent (attempt 3)");
    expect(h.out).toContain(
      "sink chat (webhook): 0 pending, 0 failed, 1 sent · last delivery 2026-11-24T07:00:00.000Z",
    );
    h.out.length = 0;
    expect(await run(["deliver", "--spec", h.spec], h.deps)).toBe(0);
    expect(rx.received).toHaveLength(3);

    expect(await run(["status", "--spec", h.spec], h.deps)).toBe(0);
    expect(h.out).toContain(
      "deliver chat (webhook): last delivery 2026-11-24T07:00:00.000Z (slot 2026-11-24T07:00:00.000Z) · 0 pending · 0 failed",
    );
    h.out.length = 0;
    expect(await run(["status", "--spec", h.spec, "--json"], h.deps)).toBe(0);
    const snap = JSON.parse(h.out.join("\n"));
    expect(snap.deliver.sinks).toEqual([
      {
        id: "chat",
        kind: "webhook",
        pending: 0,
        failed: 0,
        sent: 1,
        last_sent_at: "2026-11-24T07:00:00.000Z",
        last_sent_slot: "2026-11-24T07:00:00.000Z",
        last_error: null,
      },
    ]);
  });

  test("--retry-failed re-arms rows that failed for good", async () => {
    const rx = startReceiver([404]);
    const h = deliverHome([`{ id: chat, kind: webhook, url: "${rx.url}/afk" }`]);
    cleanups.push(rx.stop, h.cleanup);
    await tickAndDeliver(h.app());
    expect(await run(["deliver", "--spec", h.spec], h.deps)).toBe(0); // failed is not pending
    expect(h.out).toContain("sink chat (webhook): 0 pending, 1 failed, 0 sent · last delivery never");
    expect(await run(["deliver", "--spec", h.spec, "--retry-failed"], h.deps)).toBe(0);
    expect(h.out).toContain("deliver: 1 failed row re-armed");
    expect(h.out).toContain("deliver chat slot 2026-11-24T07:00:00.000Z: sent (attempt 1)");
    expect(rx.received).toHaveLength(2);
  });
});
