import { join } from "node:path";
import { systemClock } from "../src/core/clock.ts";
import type { Deps } from "../src/core/deps.ts";
import { runTick } from "../src/harness/tick.ts";
import { openDatabase } from "../src/ledger/db.ts";
import { defaultRunners } from "../src/models/runners.ts";
import { startFeedServer } from "../src/soak/feed-server.ts";
import { fetchSources, SOURCE_CONCURRENCY } from "../src/sources/index.ts";
import { parseSpec } from "../src/spec/load.ts";
import type { TraceRecord } from "../src/trace/tracer.ts";
import { type Figure, median, round } from "./figure.ts";

const SOURCES = 100;
const DELAY_MS = 50;

function specText(urls: readonly string[]): string {
  return [
    "---",
    "name: bench-digest",
    'cadence: "0 * * * *"',
    "timezone: UTC",
    "budget: { daily_cap_usd: 5 }",
    "value: { unit: digest, usd_per_unit: 2.5, min_items: 3 }",
    "sources:",
    ...urls.map((url, i) => `  - { id: s${i}, url: "${url}", timeout_s: 20 }`),
    "models:",
    "  - { id: extractive, kind: extractive }",
    "---",
    "",
    "Bench spec.",
    "",
  ].join("\n");
}

/**
 * tick_100_sources_vs_slowest: one whole tick (fetch → deliver, extractive link) over 100
 * loopback sources that each answer after 50 ms, divided by the slowest single source's fetch
 * time in that tick (its `source:<id>` span). Median of 5 ticks after one warm-up.
 */
export async function benchTickSources(dir: string): Promise<Figure> {
  const feeds = startFeedServer({ delayMs: DELAY_MS });
  const db = openDatabase(join(dir, "ledger.sqlite"));
  try {
    const urls = Array.from({ length: SOURCES }, (_, i) => feeds.feedUrl(`s${i}`));
    const loaded = parseSpec(specText(urls), join(dir, "SPEC.md"), `file:${dir}/SPEC.md`, dir);
    const deps: Deps = {
      clock: systemClock,
      fetch: globalThis.fetch,
      env: {},
      home: dir,
      print: () => {},
      warn: () => {},
      pid: process.pid,
    };
    const ratios: number[] = [];
    const ticks: number[] = [];
    const slowest: number[] = [];
    const fetches: number[] = [];
    for (let i = 0; i < 6; i++) {
      const records: TraceRecord[] = [];
      const t = performance.now();
      const s = await runTick(
        { trigger: "manual", slot: new Date(Date.UTC(2026, 0, 1, i)), force: true },
        {
          loaded,
          db,
          deps,
          version: "bench",
          capMicros: 5_000_000,
          signal: new AbortController().signal,
          checkpoint: () => {},
          fetchSources,
          runners: defaultRunners,
          sink: (r) => records.push(r),
        },
      );
      const tickMs = performance.now() - t;
      if (s.status !== "ok") throw new Error(`bench tick ended ${s.status}: ${s.reason}`);
      const worst = Math.max(
        ...records.filter((r) => r.kind === "span" && r.name.startsWith("source:")).map((r) => r.duration_ms),
      );
      if (i === 0) continue; // warm-up: JIT and first connections
      fetches.push(records.find((r) => r.kind === "span" && r.name === "fetch")?.duration_ms ?? 0);
      ticks.push(tickMs);
      slowest.push(worst);
      ratios.push(tickMs / worst);
    }
    return {
      key: "tick_100_sources_vs_slowest",
      value: round(median(ratios), 2),
      unit: "×",
      goal: { op: "<=", target: 1.5 },
      note: `tick ${round(median(ticks), 1)} ms (fetch step ${round(median(fetches), 1)} ms) ÷ slowest source ${round(median(slowest), 1)} ms; 100 sources × ${DELAY_MS} ms, extractive link, median of 5. Fetch runs ${SOURCE_CONCURRENCY} sources at once (SOURCE_CONCURRENCY, src/sources/index.ts), so 100 sources take ${Math.ceil(SOURCES / SOURCE_CONCURRENCY)} waves`,
    };
  } finally {
    db.close();
    await feeds.stop();
  }
}
