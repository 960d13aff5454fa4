import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  OPENAI_DOUBLE_KEY,
  type OpenAiDouble,
  startOpenAiDouble,
} from "../../src/evidence/doubles/openai-double.ts";
import { fixedUsd, retroFigures } from "../../src/evidence/retro-figures.ts";
import { runTick } from "../../src/harness/tick.ts";
import { openTickRow, recoverCrashed } from "../../src/harness/tick-row.ts";
import { reserve } from "../../src/models/budget.ts";
import { ledgerReport, ratio } from "../../src/status/reports.ts";
import { harnessFor, makeHome } from "../models/fixtures.ts";

/**
 * `afk retro`'s money figures and `afk ledger`'s weekly ratios against the lab's SQL, over a
 * ledger written by real ticks: re-runs of delivered slots, quiet days, a crash with an open
 * reservation, and a provider that billed beyond the request's maximum.
 */

const LAB =
  "SELECT count(*) ticks, round(sum(usd_in),4) usd_in, round(sum(value_usd),2) value_out FROM ledger";

/** A feed whose next answer carries `fresh` new items (0: nothing new: a quiet morning). */
function feed() {
  let n = 0;
  let fresh = 4;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch() {
      n += fresh;
      const items = Array.from({ length: n }, (_, i) => i + 1).map(
        (k) =>
          `<item><title>Story ${k}</title><link>https://news.test/s/${k}</link><guid>s-${k}</guid><description>Story ${k} matters.</description><pubDate>Mon, 23 Nov 2026 06:00:00 GMT</pubDate></item>`,
      );
      return new Response(
        `<?xml version="1.0"?><rss version="2.0"><channel><title>F</title><link>https://news.test/</link><description>d</description>${items.join("")}</channel></rss>`,
        { headers: { "content-type": "application/rss+xml" } },
      );
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/feed.xml`,
    fresh: (k: number) => {
      fresh = k;
    },
    stop: () => server.stop(true),
  };
}

let paid: OpenAiDouble;
let src: ReturnType<typeof feed>;
beforeAll(async () => {
  paid = await startOpenAiDouble();
  src = feed();
});
afterAll(async () => {
  await paid.stop();
  await src.stop();
});

test("retro and the weekly ratios equal the lab's SQL over re-runs, quiet days, a crash and a provider overrun", async () => {
  const h = makeHome({
    models: [
      `{ id: paid, kind: openai, base_url: "${paid.baseUrl}", model: "gpt-4o-mini", api_key_env: PAID_KEY, usd_per_mtok_in: 0.15, usd_per_mtok_out: 100, max_output_tokens: 1000 }`,
      "{ id: extractive, kind: extractive }",
    ],
    env: { PAID_KEY: OPENAI_DOUBLE_KEY },
    sources: [{ id: "f", url: src.url }],
    capUsd: 1,
  });
  try {
    const at = (iso: string) => {
      h.clock.set(iso);
      return new Date(iso);
    };
    const tick = (
      slotIso: string,
      o: { force?: boolean; trigger?: "schedule" | "manual" | "catchup" } = {},
    ) =>
      runTick(
        { trigger: o.trigger ?? "schedule", slot: new Date(slotIso), force: o.force ?? false },
        harnessFor(h),
      );
    const statuses: string[] = [];
    // week 48: Monday delivers, then a forced re-run and a catch-up of the same slot
    at("2026-11-23T07:00:05Z");
    statuses.push((await tick("2026-11-23T07:00:00Z")).status);
    statuses.push((await tick("2026-11-23T07:00:00Z", { force: true, trigger: "manual" })).status);
    statuses.push((await tick("2026-11-23T07:00:00Z", { force: true, trigger: "catchup" })).status);
    // Tuesday and Wednesday are quiet: nothing new from a healthy feed
    src.fresh(0);
    at("2026-11-24T07:00:05Z");
    statuses.push((await tick("2026-11-24T07:00:00Z")).status);
    at("2026-11-25T07:00:05Z");
    statuses.push((await tick("2026-11-25T07:00:00Z")).status);
    // Thursday: the process died holding a paid reservation; the next start charges it in full
    at("2026-11-26T07:00:05Z");
    openTickRow(h.db, {
      id: "t-crashed",
      slot: "2026-11-26T07:00:00.000Z",
      trigger: "schedule",
      day: "2026-11-26",
      startedAt: "2026-11-26T07:00:05.000Z",
      pid: 999_999,
      version: "test",
      specHash: h.loaded.hash,
      specOrigin: h.loaded.origin,
      tracePath: "runs/2026-11-26/trace.jsonl",
    });
    reserve(h.db, {
      tickId: "t-crashed",
      day: "2026-11-26",
      linkId: "paid",
      model: "gpt-4o-mini",
      attempt: 1,
      reservedMicros: 70_000,
      capMicros: 1_000_000,
      startedAt: "2026-11-26T07:00:06.000Z",
    });
    recoverCrashed(h.db, at("2026-11-26T08:00:00Z"), process.pid, () => false);
    statuses.push("crashed");
    // Friday: the provider bills 1,300 output tokens on a 1,000-token request
    src.fresh(4);
    paid.setBehavior("*", { kind: "overbill", completionTokens: 1300 });
    at("2026-11-27T07:00:05Z");
    statuses.push((await tick("2026-11-27T07:00:00Z")).status);
    paid.setBehavior("*", undefined);
    // week 49: Monday delivers on the paid link, and is re-run
    src.fresh(4);
    at("2026-11-30T07:00:05Z");
    statuses.push((await tick("2026-11-30T07:00:00Z")).status);
    statuses.push((await tick("2026-11-30T07:00:00Z", { force: true, trigger: "manual" })).status);
    expect(statuses).toEqual(["ok", "ok", "ok", "quiet", "quiet", "crashed", "ok", "ok", "ok"]);

    const lab = h.db
      .query<{ ticks: number; usd_in: number; value_out: number }, []>(`${LAB} WHERE ts >= '2026-06-01'`)
      .get();
    const slotsWithValue =
      h.db.query<{ n: number }, []>("SELECT count(DISTINCT slot) AS n FROM ledger WHERE value_usd > 0").get()
        ?.n ?? 0;
    // one unit per slot that delivered: Monday, Friday, and the next Monday — re-runs add none
    expect(slotsWithValue).toBe(3);
    expect(lab?.value_out).toBe(slotsWithValue * 2.5);

    const retro = retroFigures(h.db, "2026-06-01");
    expect({
      ticks: retro.ticks,
      usd_in: Number(fixedUsd(retro.usdInMicros, 4)),
      value_out: Number(fixedUsd(retro.valueMicros, 2)),
    }).toEqual(lab ?? { ticks: -1, usd_in: -1, value_out: -1 });
    expect(retro.units).toBe(slotsWithValue);
    expect(retro.byStatus).toMatchObject({ ok: 6, quiet: 2, crashed: 1 });
    // the overrun is in at its true cost: beyond the $0.10 the reservation allowed
    const overrun = h.db
      .query<{ usd_in: number }, []>("SELECT usd_in FROM ledger WHERE day = '2026-11-27'")
      .get();
    expect(overrun?.usd_in).toBeGreaterThan(0.1);

    const weekly = ledgerReport(h.db, null).weeks;
    expect(weekly.map((w) => w.week)).toEqual(retro.weeks.map((w) => w.week));
    for (const [i, w] of weekly.entries()) {
      const r = retro.weeks[i];
      const labWeek = h.db
        .query<{ ticks: number; usd_in: number; value_out: number }, [string, string]>(
          `${LAB} WHERE day BETWEEN ? AND ?`,
        )
        .get(r?.firstDay ?? "", r?.lastDay ?? "");
      expect({
        ticks: w.ticks,
        usd_in: Number(fixedUsd(w.spendMicros, 4)),
        value_out: Number(fixedUsd(w.valueMicros, 2)),
      }).toEqual(labWeek ?? { ticks: -1, usd_in: -1, value_out: -1 });
      expect([r?.ticks, r?.usdInMicros, r?.valueMicros]).toEqual([w.ticks, w.spendMicros, w.valueMicros]);
      // the weekly ratio is the lab's sum(value_usd) ÷ sum(usd_in) (unrounded)
      const labRatio = h.db
        .query<{ r: number | null }, [string, string]>(
          "SELECT sum(value_usd) / sum(usd_in) AS r FROM ledger WHERE day BETWEEN ? AND ?",
        )
        .get(r?.firstDay ?? "", r?.lastDay ?? "")?.r;
      expect(labRatio).not.toBeNull();
      expect(w.valueMicros / w.spendMicros).toBeCloseTo(labRatio ?? 0, 6);
      expect(ratio(w.valueMicros, w.spendMicros)).toBe(`${(labRatio ?? 0).toFixed(1)}×`);
    }
  } finally {
    h.cleanup();
  }
}, 60_000);
