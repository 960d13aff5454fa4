import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "../../src/cli/args.ts";
import { buildContext } from "../../src/cli/context.ts";
import { tickExitCode } from "../../src/core/exit.ts";
import {
  OPENAI_DOUBLE_KEY,
  type OpenAiDouble,
  startOpenAiDouble,
} from "../../src/evidence/doubles/openai-double.ts";
import { runTick } from "../../src/harness/tick.ts";
import { tierOff } from "../../src/models/state.ts";
import { loadSpecFile } from "../../src/spec/load.ts";
import { renderMetrics } from "../../src/status/metrics/index.ts";
import { INCIDENT_STATUSES } from "../../src/status/reports.ts";
import { statusSnapshot } from "../../src/status/snapshot.ts";
import { evaluateWatchdog } from "../../src/status/watchdog.ts";
import {
  callsOf,
  eventsNamed,
  type Home,
  harnessFor,
  makeHome,
  startFreshFeed,
  traceOf,
} from "../models/fixtures.ts";

/** The lab's own query, as an operator types it into sqlite3. */
const LAB =
  "SELECT count(*) ticks, round(sum(usd_in),4) usd_in, round(sum(value_usd),2) value_out FROM ledger WHERE ts >= '2026-06-01'";

let feed: ReturnType<typeof startFreshFeed>;
let paid: OpenAiDouble;
let home: Home | undefined;
beforeAll(async () => {
  feed = startFreshFeed(4);
  paid = await startOpenAiDouble();
});
afterAll(async () => {
  await feed.stop();
  await paid.stop();
});
afterEach(() => {
  paid.setBehavior("*", undefined);
  home?.cleanup();
  home = undefined;
});

const SLOT = new Date("2026-11-24T07:00:00Z");

describe("one value per slot", () => {
  test("a forced re-run and a catch-up of a delivered slot deliver, book no second value, and keep every earlier digest", async () => {
    home = makeHome({
      models: ["{ id: extractive, kind: extractive }"],
      sources: [{ id: "fresh", url: feed.url }],
    });
    const h = home;
    const first = await runTick({ trigger: "schedule", slot: SLOT, force: false }, harnessFor(h));
    const forced = await runTick({ trigger: "manual", slot: SLOT, force: true }, harnessFor(h));
    const caught = await runTick({ trigger: "catchup", slot: SLOT, force: true }, harnessFor(h));
    expect([first, forced, caught].map((s) => [s.status, s.valueMicros])).toEqual([
      ["ok", 2_500_000],
      ["ok", 0],
      ["ok", 0],
    ]);
    expect(forced.reason).toContain(`slot already valued by tick ${first.tickId}`);
    const paths = [first, forced, caught].map((s) => s.outPath ?? "");
    expect(paths).toEqual([
      "out/test-digest-2026-11-24-0700.md",
      "out/test-digest-2026-11-24-0700.v2.md",
      "out/test-digest-2026-11-24-0700.v3.md",
    ]);
    // each file still holds its own tick's items: nothing was overwritten
    const texts = paths.map((p) => readFileSync(join(h.dir, p), "utf8"));
    expect(texts[0]).toContain("Story 1");
    expect(texts[1]).toContain("Story 5");
    expect(new Set(texts).size).toBe(3);
    // a second slot delivers its own value
    await runTick(
      { trigger: "schedule", slot: new Date("2026-11-25T07:00:00Z"), force: false },
      harnessFor(h),
    );
    const slotsWithValue = h.db
      .query<{ n: number }, []>("SELECT count(DISTINCT slot) AS n FROM ticks WHERE value_micros > 0")
      .get()?.n;
    expect(slotsWithValue).toBe(2);
    expect(h.db.query(LAB).get()).toEqual({ ticks: 4, usd_in: 0, value_out: 2 * 2.5 });
  });
});

describe("quiet is not failure", () => {
  test("healthy sources with too few new items: quiet, exit 0, no incident, not in the no-value streak; quiet_days may alert", async () => {
    home = makeHome({
      models: ["{ id: extractive, kind: extractive }"],
      extra: "watchdog: { no_value_ticks: 2, quiet_days: 2 }",
    });
    const h = home;
    await runTick({ trigger: "schedule", slot: SLOT, force: false }, harnessFor(h));
    const quiet = [];
    for (let day = 0; day < 3; day++) {
      h.clock.set(new Date(Date.parse("2026-11-25T07:00:00Z") + day * 86_400_000));
      const s = await runTick({ trigger: "schedule", slot: h.clock.now(), force: false }, harnessFor(h));
      quiet.push(s);
      if (day < 1) expect(evaluateWatchdog(h.db, h.loaded, h.clock.now())).toEqual({ kind: "none" });
    }
    expect(quiet.map((s) => s.status)).toEqual(["quiet", "quiet", "quiet"]);
    expect(quiet[0]?.reason).toStartWith("quiet: only 0 new items (min_items 3)");
    expect(tickExitCode("quiet")).toBe(0);
    expect((INCIDENT_STATUSES as readonly string[]).includes("quiet")).toBe(false);
    // three quiet ticks passed watchdog.no_value_ticks = 2 without a no-value alert; after
    // quiet_days = 2 days the longer watchdog raises its own
    const action = evaluateWatchdog(h.db, h.loaded, h.clock.now());
    expect(action.kind).toBe("raise");
    if (action.kind !== "raise") return;
    expect(action.text).toContain("quiet for 2 days or more (watchdog.quiet_days = 2)");
    expect(action.alert.since_at).toBe("2026-11-25T07:00:00.000Z");
  });

  test("too few items with a required source down stays failed", async () => {
    home = makeHome({
      models: ["{ id: extractive, kind: extractive }"],
      minItems: 100,
      sources: [
        { id: "fresh", url: feed.url },
        { id: "gone", url: "feeds/gone.xml" },
      ],
    });
    const s = await runTick({ trigger: "schedule", slot: SLOT, force: false }, harnessFor(home));
    expect(s.status).toBe("failed");
    expect(s.reason).toContain("required source gone failed");
    expect(tickExitCode("failed")).toBe(1);
  });

  test("watchdog.quiet_days defaults to 7", () => {
    home = makeHome({ models: ["{ id: extractive, kind: extractive }"] });
    expect(loadSpecFile(home.specPath).spec.watchdog).toEqual({ no_value_ticks: 3, quiet_days: 7 });
  });
});

describe("spend is never crossed silently", () => {
  test("a provider billing beyond max_output_tokens: true cost recorded, budget.overrun, link off for the day, status says the provider crossed the cap", async () => {
    // input free, output $100/Mtok, max 1000 tokens: the reservation is exactly the $0.10 cap
    home = makeHome({
      models: [
        `{ id: paid, kind: openai, base_url: "${paid.baseUrl}", model: "gpt-4o-mini", api_key_env: PAID_KEY, usd_per_mtok_in: 0, usd_per_mtok_out: 100, max_output_tokens: 1000 }`,
        "{ id: extractive, kind: extractive }",
      ],
      env: { PAID_KEY: OPENAI_DOUBLE_KEY },
      sources: [{ id: "fresh", url: feed.url }],
      capUsd: 0.1,
    });
    const h = home;
    paid.setBehavior("*", { kind: "overbill", completionTokens: 1200 });
    const s = await runTick({ trigger: "schedule", slot: SLOT, force: false }, harnessFor(h));
    const [call] = callsOf(h.db, s.tickId).filter((c) => c.link_id === "paid");
    expect(call).toMatchObject({
      state: "settled",
      reserved_micros: 100_000,
      cost_micros: 120_000,
      tokens_out: 1200,
    });
    const [event] = eventsNamed(traceOf(h, s), "budget.overrun");
    expect(event?.attrs).toMatchObject({
      link: "paid",
      reserved_micros: 100_000,
      billed_micros: 120_000,
      over_micros: 20_000,
      tokens_out: 1200,
      spent_today_micros: 120_000,
      cap_micros: 100_000,
    });
    expect(tierOff(h.db, "paid", "2026-11-24")).toMatchObject({ code: "overrun", tick_id: s.tickId });
    expect(h.db.query(LAB).get()).toMatchObject({ usd_in: 0.12 });

    const app = buildContext(parseArgs(["status", "--spec", h.specPath]), h.deps);
    try {
      const snap = statusSnapshot({ app, db: app.db(), handle: null });
      expect(snap.cap).toMatchObject({
        spent_micros: 120_000,
        reached: true,
        overrun: { calls: 1, over_micros: 20_000, links: ["paid"], crossed_by_provider: true },
      });
      expect(snap.verdict.reasons.map((r) => r.text).join("\n")).toContain(
        "spend cap crossed by the provider",
      );
      const metrics = renderMetrics(app.db(), snap);
      expect(metrics).toContain("afk_cap_crossed_by_provider 1\n");
      expect(metrics).toContain("afk_overrun_today_usd 0.02\n");
    } finally {
      app.close();
    }
    // the next tick of the day does not call the link again
    const before = paid.requests.length;
    const next = await runTick(
      { trigger: "schedule", slot: new Date("2026-11-24T08:00:00Z"), force: false },
      harnessFor(h),
    );
    expect(paid.requests.length).toBe(before);
    expect(next.fallbacks[0]).toMatchObject({ from: "paid", to: "extractive" });
  });
});
