import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openTickRow } from "../../src/harness/tick-row.ts";
import { reserve, settle } from "../../src/models/budget.ts";
import { LEDGER_FAMILIES, metricsSource, renderMetrics } from "../../src/status/metrics/index.ts";
import type { LedgerFamilies } from "../../src/status/metrics/ledger.ts";
import { statusSnapshot } from "../../src/status/snapshot.ts";
import { statusHome, tickAndHook } from "./helpers.ts";

let env: ReturnType<typeof statusHome> | undefined;
afterEach(() => {
  env?.cleanup();
  env = undefined;
});

function setup() {
  env = statusHome();
  const app = env.app("value");
  const snapshot = () => statusSnapshot({ app, db: app.db(), handle: null });
  return { app, snapshot, scrape: () => renderMetrics(app.db(), snapshot()) };
}

/** `name{labels} value` lines of one exposition as a map. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = line.match(/^([a-z_]+(?:\{[^}]*\})?) (\S+)$/);
    if (m) out.set(m[1] as string, m[2] === "+Inf" ? Number.POSITIVE_INFINITY : Number(m[2]));
  }
  return out;
}

function types(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]));
}

describe("/metrics follows Prometheus conventions", () => {
  test("_total only on counters, running is a gauge, a duration histogram, process families", async () => {
    const { app, scrape } = setup();
    await tickAndHook(app);
    await tickAndHook(app); // items already delivered: a tick without value
    const text = scrape();
    const misnamed = [...types(text)].filter(
      ([name, type]) => (type === "counter") !== name.endsWith("_total"),
    );
    expect(misnamed).toEqual([]);
    const s = samples(text);
    expect(s.has('afk_ticks_total{status="running"}')).toBe(false);
    expect(s.get("afk_ticks_running")).toBe(0);
    expect(s.get('afk_ticks_total{status="ok"}')).toBe(1);
    expect(s.get("afk_tick_duration_seconds_count")).toBe(2);
    expect(s.get('afk_tick_duration_seconds_bucket{le="+Inf"}')).toBe(2);
    expect(types(text).get("afk_tick_duration_seconds")).toBe("histogram");
    expect(s.get('afk_model_calls_total{link="extractive",kind="extractive"}')).toBeGreaterThanOrEqual(1);
    expect(s.get("process_resident_memory_bytes")).toBeGreaterThan(1_000_000);
    expect(s.get("process_open_fds")).toBeGreaterThanOrEqual(3);
    expect(s.get("process_start_time_seconds")).toBeLessThanOrEqual(Date.now() / 1000);
  });

  test("a paid call's reserve → settle moves money from the reservation gauge to the spend counter, which never goes down", () => {
    const { app, scrape } = setup();
    const db = app.db();
    const day = "2026-11-24";
    openTickRow(db, {
      id: "paid-tick",
      slot: `${day}T07:00:00.000Z`,
      trigger: "schedule",
      day,
      startedAt: `${day}T07:00:00.000Z`,
      pid: process.pid,
      version: "t",
      specHash: "h",
      specOrigin: "file:t",
      tracePath: "runs/t/trace.jsonl",
    });
    const before = samples(scrape());
    const r = reserve(db, {
      tickId: "paid-tick",
      day,
      linkId: "paid",
      model: "gpt-4o-mini",
      attempt: 1,
      reservedMicros: 120_000,
      capMicros: 5_000_000,
      startedAt: `${day}T07:00:01.000Z`,
    });
    if (!r.ok) throw new Error("reservation refused");
    const during = samples(scrape());
    settle(db, r.callId, {
      state: "settled",
      costMicros: 4_000,
      tokensIn: 900,
      tokensOut: 300,
      outcome: "ok",
      endedAt: `${day}T07:00:02.000Z`,
    });
    const after = samples(scrape());
    const series = [before, during, after].map((s) => ({
      spend: s.get("afk_spend_usd_total"),
      reserved: s.get("afk_spend_reserved_usd"),
      running: s.get("afk_ticks_running"),
    }));
    expect(series).toEqual([
      { spend: 0, reserved: 0, running: 1 },
      { spend: 0, reserved: 0.12, running: 1 },
      { spend: 0.004, reserved: 0, running: 1 },
    ]);
    expect(after.get('afk_model_tokens_total{link="paid",direction="output"}')).toBe(300);
  });

  test("the ledger families are built again only when the ledger has changed (any connection)", async () => {
    const { app, snapshot } = setup();
    await tickAndHook(app);
    let builds = 0;
    const counting: LedgerFamilies = (db) => {
      builds++;
      return LEDGER_FAMILIES.flatMap((f) => f(db));
    };
    const metrics = metricsSource(() => app.db(), snapshot, [counting]);
    const first = metrics();
    metrics();
    metrics();
    expect(builds).toBe(1);
    // another process's commit (here: a second connection) is seen through data_version
    const other = new Database(join(app.host.home, "ledger.sqlite"));
    other.run("INSERT INTO ledger (ts, usd_in, value_usd) VALUES ('2026-11-24T06:00:00Z', 0.5, 0)");
    other.close();
    const second = metrics();
    expect(builds).toBe(2);
    expect(samples(first).get("afk_spend_usd_total")).toBe(0);
    expect(samples(second).get("afk_spend_usd_total")).toBe(0.5);
  });
});
