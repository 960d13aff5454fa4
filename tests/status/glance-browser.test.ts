import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { HEARTBEAT_TICKS } from "../../src/status/page/heartbeat.tsx";
import { startStatusServer } from "../../src/status/server.ts";
import { VERDICTS } from "../../src/status/snapshot-view.ts";
import { REPO } from "../support/home.ts";
import { SCENARIOS } from "./scenarios.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(REPO, "test-artifacts");
const VIEWPORTS = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
] as const;

let browser: Browser | null = null;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

/**
 * The glance test (issue 16) in real Chromium: for every verdict, at a desktop and a phone size,
 * the page opens with the verdict in `role="status"`, never scrolls sideways, throws nothing,
 * shows one heartbeat cell per tick (up to 48) and, on the phone, the verdict and today's figures
 * on the first screen. Screenshots go to test-artifacts/glance-<verdict>-<width>.png.
 */
describe("the glance test in a real browser", () => {
  test.skipIf(!existsSync(CHROMIUM)).each([...VERDICTS])(
    "%s: verdict first, no sideways scroll, no page error, one cell per tick, at 1280×900 and 390×844",
    async (verdict) => {
      const s = await SCENARIOS[verdict]();
      const server = startStatusServer(s.app, s.handle);
      try {
        for (const viewport of VIEWPORTS) {
          const context = await (browser as Browser).newContext({ viewport });
          const page = await context.newPage();
          const errors: string[] = [];
          page.on("pageerror", (e) => errors.push(e.message));
          page.on("console", (m) => {
            if (m.type() === "error") errors.push(m.text()); // CSP violations land here
          });
          const res = await page.goto(server.url, { waitUntil: "load" });
          expect(res?.status()).toBe(200);

          const banner = page.locator('[role="status"]');
          expect(await banner.count()).toBe(1);
          const text = ((await banner.textContent()) ?? "").trim();
          expect(text).toStartWith(`${verdict}${text.length > verdict.length ? " " : ""}`);
          const box = await banner.boundingBox();
          expect(box?.y ?? Number.POSITIVE_INFINITY).toBeLessThan(60); // at the top, under the one-line title

          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          expect(width).toBeLessThanOrEqual(viewport.width);

          expect(await page.locator(".beat").count()).toBe(Math.min(HEARTBEAT_TICKS, s.rows));
          if (s.rows > 0)
            expect(await page.locator(".beat").last().getAttribute("title")).toMatch(
              /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(/,
            );

          // the first screen holds the verdict and today's figures
          const figs = await page.locator(".figs").boundingBox();
          expect((figs?.y ?? Number.POSITIVE_INFINITY) + (figs?.height ?? 0)).toBeLessThanOrEqual(
            viewport.height,
          );

          expect(await page.locator("script").count()).toBe(0);
          expect(errors).toEqual([]);
          const shot = join(ARTIFACTS, `glance-${verdict.replace(" ", "-")}-${viewport.width}.png`);
          await page.screenshot({ path: shot, fullPage: true });
          await page.screenshot({ path: shot.replace(".png", "-first-screen.png") });
          expect(statSync(shot).size).toBeGreaterThan(10_000);
          await context.close();
        }
      } finally {
        await server.stop();
        await s.cleanup();
      }
    },
    60_000,
  );
});
