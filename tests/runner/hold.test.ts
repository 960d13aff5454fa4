import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/run.ts";
import { CAP_LINE } from "../../src/runner/guard.ts";
import { nextDayStart } from "../../src/runner/hold.ts";
import { receiver, statusHome } from "../status/helpers.ts";
import { spentEarlierToday } from "./helpers.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe("when a cap halt ends: midnight of the cap's day in the spec's zone", () => {
  test.each([
    ["UTC", "2026-11-24T07:00:00Z", "2026-11-25T00:00:00.000Z"],
    ["Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-28T23:00:00.000Z"], // CET, UTC+1
    ["Europe/Berlin", "2026-03-29T12:00:00Z", "2026-03-29T22:00:00.000Z"], // the DST day: CEST from 01:00 UTC
    ["America/New_York", "2026-11-01T12:00:00Z", "2026-11-02T05:00:00.000Z"], // fall back: a 25-hour day
    ["Asia/Kolkata", "2026-11-24T20:00:00Z", "2026-11-25T18:30:00.000Z"], // already the 25th there
  ] as const)("%s at %s → %s", (zone, now, midnight) => {
    expect(nextDayStart(new Date(now), zone).toISOString()).toBe(midnight);
  });
});

describe("the hold as every reader sees it", () => {
  test("a capped day: afk tick exits 3 with the line; status and /metrics say halted until the next day's first slot; the next day ticks; the flag says stopped", async () => {
    const ntfy = receiver();
    cleanups.push(ntfy.stop);
    const h = statusHome({ SPEND_CAP_USD: "1", AFK_ALERT_URL: `${ntfy.url}/afk-alerts` });
    cleanups.push(h.cleanup);
    const app = h.app("value");
    // $2 already spent today (2026-11-24, UTC) by an earlier tick's settled paid call.
    spentEarlierToday(app.db(), 2_000_000);

    expect(await run(["tick", "--cron", "--spec", h.specs.value], h.deps)).toBe(3);
    expect(h.out).toContain(CAP_LINE);
    const status = async () => {
      h.out.length = 0;
      expect(await run(["status", "--json", "--spec", h.specs.value], h.deps)).toBe(0);
      return JSON.parse(h.out.join("\n")) as {
        hold: {
          state: string;
          halted: boolean;
          stopped: boolean;
          since: string | null;
          resumes_at: string | null;
        };
      };
    };
    // One notice for the capped day, on its first refusal, saying when it ends; the next refusal is quiet.
    h.clock.set("2026-11-24T08:00:10Z");
    expect(await run(["tick", "--cron", "--spec", h.specs.value], h.deps)).toBe(3);
    const notices = ntfy.seen.filter((n) => n.title?.includes("halted at the spend cap"));
    expect(notices.map((n) => n.title)).toEqual([
      "afk: test-digest halted at the spend cap until 2026-11-25T07:00:00.000Z",
    ]);
    expect(notices[0]?.body).toContain("runs with no person acting");
    const halted = await status();
    expect(halted.hold).toMatchObject({ state: "halted", halted: true, stopped: false });
    expect(halted.hold.resumes_at).toBe("2026-11-25T07:00:00.000Z");
    expect(halted.hold.since).toBe("2026-11-24T07:00:00.000Z");
    h.out.length = 0;
    await run(["status", "--spec", h.specs.value], h.deps);
    // afk status opens with the verdict (src/status/verdict.ts): why, since when, and when it resumes
    expect(h.out[0]).toStartWith("halted — spend cap reached: $2.00 of $1.00 today (SPEND_CAP_USD)");
    expect(h.out[0]).toContain("(halted since 60 min ago)");
    expect(h.out[1]).toStartWith(
      "  resumes tomorrow 07:00 (2026-11-25T07:00:00Z) — by itself at the first slot of the cap's next day (UTC)",
    );

    // The next day's slot: nobody acted, the guard reads the new day's spend, the tick runs.
    h.clock.set("2026-11-25T07:00:10Z");
    expect(await run(["tick", "--cron", "--spec", h.specs.value], h.deps)).toBe(0);
    expect((await status()).hold).toMatchObject({ state: "running", halted: false, resumes_at: null });

    writeFileSync(join(h.home, "afk.kill"), "");
    expect((await status()).hold).toMatchObject({ state: "stopped", stopped: true, resumes_at: null });
  });
});
