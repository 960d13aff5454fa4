import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { parseArgs } from "../../src/cli/args.ts";
import { buildContext } from "../../src/cli/context.ts";
import { AfkError } from "../../src/core/errors.ts";
import { echoDraftFromPrompt, startOllamaDouble } from "../../src/evidence/doubles/ollama-double.ts";
import { startStatusServer } from "../../src/status/server.ts";
import { REPO, sampleSources, tempHome, testDeps, writeSpec } from "../support/home.ts";
import { testHandle, tickAndHook } from "./helpers.ts";

const CHROMIUM = "/usr/bin/chromium";
const HOSTILE_TITLE = "<img src=x onerror=alert(1)>";
const HOSTILE_SUMMARY = 'Read this <img src=x onerror=alert(2)> and <script>alert(3)</script> "quoted".';
const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("status page in a real browser", () => {
  test.skipIf(!existsSync(CHROMIUM))(
    "feed-derived markup in the digest stays inert text; screenshot saved",
    async () => {
      // A model that repeats hostile text from a feed (prompt injection): the title and a summary carry markup.
      const ollama = await startOllamaDouble({
        content: (body) => {
          const draft = JSON.parse(echoDraftFromPrompt(body)) as {
            title: string;
            entries: { summary: string }[];
          };
          draft.title = HOSTILE_TITLE;
          if (draft.entries[0]) draft.entries[0].summary = HOSTILE_SUMMARY;
          return JSON.stringify(draft);
        },
      });
      cleanups.push(() => ollama.stop());
      const h = tempHome("afk-browser-");
      cleanups.push(h.cleanup);
      const spec = writeSpec(h.dir, {
        sources: sampleSources(h.dir),
        models: [
          '{ id: primary, kind: ollama, model: "llama3.1:8b", timeout_s: 10 }',
          "{ id: extractive, kind: extractive }",
        ],
      });
      const t = testDeps(h.dir, { OLLAMA_HOST: ollama.url, AFK_STATUS_ADDR: "127.0.0.1:0" });
      const app = buildContext(parseArgs(["serve", "--spec", spec]), t.deps);
      cleanups.push(() => app.close());
      const summary = await tickAndHook(app);
      expect(summary.model).toBe("primary");
      expect(summary.status).toBe("ok");

      const runner = testHandle();
      const server = startStatusServer(app, runner.handle);
      cleanups.push(() => server.stop());
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      });
      cleanups.push(() => browser.close());
      const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
      const dialogs: string[] = [];
      const cspViolations: string[] = [];
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      page.on("console", (m) => {
        if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
      });
      const res = await page.goto(server.url, { waitUntil: "load" });
      expect(res?.status()).toBe(200);

      expect(await page.locator("img").count()).toBe(0);
      expect(await page.locator("script").count()).toBe(0);
      await expect(page.getByText(HOSTILE_TITLE, { exact: true }).first().isVisible()).resolves.toBe(true);
      expect(await page.locator(".digest h3").textContent()).toBe(HOSTILE_TITLE);
      expect(await page.locator(".digest").textContent()).toContain(HOSTILE_SUMMARY);
      expect(await page.locator("h1").textContent()).toContain("test-digest");
      expect(await page.locator("table").first().textContent()).toContain(summary.tickId);
      expect(await page.locator("svg rect").count()).toBeGreaterThan(28); // 14 days × 2 bars
      expect(dialogs).toEqual([]);
      expect(cspViolations).toEqual([]); // the stylesheet's hash matches: the page is styled under its own CSP

      mkdirSync(join(REPO, "test-artifacts"), { recursive: true });
      const shot = join(REPO, "test-artifacts", "status-page.png");
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
    },
    60_000,
  );

  test("startStatusServer refuses to bind beyond loopback without a token (AfkError, exit 2)", () => {
    const h = tempHome("afk-bind-");
    cleanups.push(h.cleanup);
    const spec = writeSpec(h.dir, { sources: sampleSources(h.dir) });
    const t = testDeps(h.dir, { AFK_STATUS_ADDR: "0.0.0.0:0" });
    const app = buildContext(parseArgs(["serve", "--spec", spec]), t.deps);
    cleanups.push(() => app.close());
    let err: unknown;
    try {
      startStatusServer(app, testHandle().handle).stop();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AfkError);
    expect((err as AfkError).exitCode).toBe(2);
    expect((err as AfkError).message).toContain(
      "refusing to bind 0.0.0.0:0 beyond loopback without AFK_STATUS_TOKEN",
    );

    const withToken = buildContext(
      parseArgs(["serve", "--spec", spec]),
      testDeps(h.dir, { AFK_STATUS_ADDR: "0.0.0.0:0", AFK_STATUS_TOKEN: "t0k" }).deps,
    );
    cleanups.push(() => withToken.close());
    const server = startStatusServer(withToken, testHandle().handle);
    cleanups.push(() => server.stop());
    expect(server.url).toMatch(/:\d+$/);
  });
});
