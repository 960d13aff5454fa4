import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { deliverNow } from "../../src/deliver/now.ts";
import { outboxRow, rearmFailed } from "../../src/deliver/outbox.ts";
import { readAlertParts, setAlertPart } from "../../src/status/alert-file.ts";
import { readTickTrace } from "../../src/trace/read.ts";
import { deliverHome, tickAndDeliver, writeFeed } from "./home.ts";
import { startReceiver } from "./servers.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SLOT = "2026-11-24T07:00:00.000Z";
const TOKEN = "tk_live_abcdef123456";

describe("a sink that fails for good raises out/ALERT.txt until it delivers again", () => {
  test("refused (HTTP 401): the file names the sink and the fix, never its URL or token; the next delivered digest clears it", async () => {
    const rx = startReceiver([401]);
    const h = deliverHome(
      [`{ id: chat, kind: webhook, url: "${rx.url}/hooks/s3cretpath", token_env: HOOK_TOKEN }`],
      {
        HOOK_TOKEN: TOKEN,
      },
    );
    cleanups.push(rx.stop, h.cleanup);
    const alertPath = join(h.home, "out", "ALERT.txt");
    const app = h.app();
    const first = await tickAndDeliver(app);
    expect(outboxRow(app.db(), SLOT, "chat")).toMatchObject({ status: "failed", last_outcome: "permanent" });
    const text = readFileSync(alertPath, "utf8");
    expect(text.split("\n")[0]).toBe(`afk ALERT: ${app.loaded.spec.name} could not deliver to 'chat'`);
    expect(text).toContain(`- slot ${SLOT}: refused: `);
    expect(text).toContain("fix: the sink refused the digest: check the spec's deliver: entry 'chat'");
    expect(text).toContain("afk deliver --retry-failed");
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain("s3cretpath");
    const names = readTickTrace(h.home, first.tickId, first.tracePath).map((r) => r.name);
    expect(names).toContain("watchdog.deliver_alert_file");

    // the next day's digest reaches the sink: the alert goes with it
    writeFeed(h.specDir, [
      { id: "b1", title: "Fresh one" },
      { id: "b2", title: "Fresh two" },
    ]);
    h.clock.set("2026-11-25T07:00:00Z");
    const second = await tickAndDeliver(app);
    expect(outboxRow(app.db(), "2026-11-25T07:00:00.000Z", "chat")?.status).toBe("sent");
    expect(existsSync(alertPath)).toBe(false);
    const later = readTickTrace(h.home, second.tickId, second.tracePath).map((r) => r.name);
    expect(later).toContain("watchdog.deliver_alert_cleared");
  });

  test("unanswered max_attempts times: the file says so; a watchdog alert beside it is kept when delivery heals", async () => {
    const rx = startReceiver([503]);
    const h = deliverHome([`{ id: chat, kind: webhook, url: "${rx.url}/afk", max_attempts: 1 }`]);
    cleanups.push(rx.stop, h.cleanup);
    const alertPath = join(h.home, "out", "ALERT.txt");
    const watchdogText = "afk ALERT: infra has produced no value for 3 ticks in a row\n\nsince: then\n";
    setAlertPart(h.home, "watchdog", watchdogText);
    const app = h.app();
    await tickAndDeliver(app);
    expect(outboxRow(app.db(), SLOT, "chat")).toMatchObject({ status: "failed", last_outcome: "transient" });
    const parts = readAlertParts(h.home);
    expect(parts.watchdog).toBe(watchdogText);
    expect(parts.delivery).toContain("- slot 2026-11-24T07:00:00.000Z: failed 1 times: HTTP 503");
    expect(parts.delivery).toContain("fix: the sink failed on all 1 attempts");
    const whole = readFileSync(alertPath, "utf8");
    expect(whole.startsWith(watchdogText)).toBe(true);

    // by hand, after the fix: the re-armed row is sent; only the watchdog's part is left
    expect(rearmFailed(app.db(), h.clock.now())).toBe(1);
    const reports = await deliverNow(app, { all: true });
    expect(reports.map((r) => r.status)).toEqual(["sent"]);
    expect(readFileSync(alertPath, "utf8")).toBe(watchdogText);
    setAlertPart(h.home, "watchdog", null);
    expect(existsSync(alertPath)).toBe(false);
  });
});
