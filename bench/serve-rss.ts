import { Database } from "bun:sqlite";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startOllamaDouble } from "../src/evidence/doubles/ollama-double.ts";
import { probe } from "../src/soak/child.ts";
import { startFeedServer } from "../src/soak/feed-server.ts";
import { minimaSlope, slopeError, steadyMinimaSlope } from "../src/soak/trend.ts";
import { type Figure, round } from "./figure.ts";
import { startServe } from "./serve-proc.ts";

export function writeBenchSpec(dir: string, cadence: string, sources: string[], models: string[]): string {
  const path = join(dir, "SPEC.md");
  writeFileSync(
    path,
    [
      "---",
      "name: bench",
      `cadence: "${cadence}"`,
      "timezone: UTC",
      "budget: { daily_cap_usd: 5 }",
      "value: { unit: digest, usd_per_unit: 2.5, min_items: 3 }",
      "sources:",
      ...sources.map((url, i) => `  - { id: s${i}, url: "${url}", timeout_s: 5 }`),
      "triage: { max_items: 5 }",
      "models:",
      ...models.map((m) => `  - ${m}`),
      "limits: { max_tick_seconds: 600, catch_up_hours: 12 }",
      "---",
      "",
      "Bench spec.",
      "",
    ].join("\n"),
  );
  return path;
}

/**
 * serve_idle_rss_mb and bun_floor_rss_mb, side by side in one run: Bun's floor for a server
 * (compiled, bun:sqlite open, Bun.serve bound, idle) and a compiled afk serve with nothing due (a
 * yearly cadence), each 2 s after it sleeps. The serve is started twice in the same home: the
 * figure is the second start, as a host runs it after any restart (the spec comes from AFK_HOME's
 * cache, so yaml and zod are never loaded); the first start (validating the spec) is in the note.
 */
export async function benchIdleRss(
  bin: string,
  floorBin: string,
  home: string,
  env: Record<string, string>,
): Promise<Figure[]> {
  const floorProc = Bun.spawn([floorBin], { env, stdout: "ignore", stderr: "ignore" });
  await Bun.sleep(2000); // the same idle time as afk below
  const floor = probe(floorProc.pid);
  floorProc.kill("SIGTERM");
  await floorProc.exited;
  const spec = writeBenchSpec(
    home,
    "0 0 1 1 *",
    ["http://127.0.0.1:9/feed"],
    ["{ id: extractive, kind: extractive }"],
  );
  const idle = async () => {
    const serve = startServe(bin, spec, { ...env, HOME: home, AFK_HOME: home });
    try {
      await serve.waitForLine(/^next run /);
      await Bun.sleep(2000); // idle is a duration: let start-up garbage be collected
      return probe(serve.pid);
    } finally {
      await serve.stop();
    }
  };
  const first = await idle();
  const p = await idle();
  const floorMb = floor ? round(floor.rssMb, 1) : null;
  const target = floorMb === null ? 45 : round(floorMb * 1.5, 1);
  return [
    {
      key: "bun_floor_rss_mb",
      value: floorMb,
      unit: "MB",
      goal: { op: "<=", target: 33 },
      note: "VmRSS of a compiled program that opens bun:sqlite, binds Bun.serve and idles (bench/compiled.ts): what any Bun server costs on this machine, the reference serve_idle_rss_mb's goal is drawn from (the goal here only flags a floor off the 30 MB issue 18 measured)",
    },
    {
      key: "serve_idle_rss_mb",
      value: p ? round(p.rssMb, 1) : null,
      unit: "MB",
      goal: { op: "<=", target },
      note: `VmRSS of the compiled afk serve restarted on its home (spec cached), status page bound, nothing due, ${p?.fds ?? "?"} open fds; first start (validating the spec: yaml + zod) ${round(first?.rssMb ?? 0, 1)} MB. Goal 1.5 × Bun's floor (${floorMb} MB, same run). Idle, serve holds neither the tick pipeline (loaded a minute before a slot), the page's app (first request), the deliver sinks, zod, node:crypto (delivery ids hash with Bun.CryptoHasher) nor croner (a numeric UTC cadence, this yearly one included, is answered by src/spec/daily-cron.ts and utc-cron.ts, walked by month; no afk function is hot enough at start to be baseline-compiled). Bound: the pages of Bun's own machine code the serve's start-up touches (file-backed ~38 MB against the floor's ~29: node:fs alone costs ~4 MB over the floor and its set-up baseline-compiles a builtin, waking the JIT; sqlite's WAL and migration checks, fs.watch on the flag, module loading) and the JS heap (~5 MB anonymous against ~2)`,
    },
  ];
}

const WARM = 50;
/**
 * A window's low swings ±5–8 MB with where the collector's full collections fall: over 5,000 ticks
 * the slope's standard error is ~1.2 MB per 1,000 ticks, the size of the goal; over 10,000 it is
 * ~0.4 (measured over 15,000 ticks: lows 105–127 MB after the first window, slope −0.3).
 */
const TICKS = 10_000;
/** Ticks per window of the growth figure: 20 windows over the run, each holding several full collections. */
const WINDOW_TICKS = 500;

/** Closed ticks in serve's ledger; null while it cannot be read (not created yet, or busy a moment). */
function closedTicks(home: string): number | null {
  const path = join(home, "ledger.sqlite");
  if (!existsSync(path)) return null; // serve has not opened it yet
  let db: Database | null = null;
  try {
    db = new Database(path, { readonly: true });
    db.run("PRAGMA busy_timeout = 1000");
    return (
      db.query<{ n: number }, []>("SELECT count(*) AS n FROM ticks WHERE status != 'running'").get()?.n ?? 0
    );
  } catch {
    return null; // migrating or checkpointing: the next poll reads it
  } finally {
    db?.close();
  }
}

/**
 * rss_growth_mb_per_1k_ticks (and rss_growth_1000_ticks_mb, the two-point reading it replaces): a
 * compiled serve ticking every (clock) minute on a ×6000 clock — three loopback feeds, the Ollama
 * double as primary — sampled (closed ticks, VmRSS) every 50 ms for 10,000 ticks after 50 warm-up
 * ticks. The figure is the slope of the per-window RSS minima (windows of 500 ticks) per 1,000
 * ticks, leaving out the first window as the soak's growth invariant does (steadyMinimaSlope): what
 * a leak would add, blind to where between two collections a sample falls and to the heap's
 * warm-up (its first few hundred ticks lift the low ~20 MB once, then it holds: 15,000 ticks).
 */
export async function benchRssGrowth(
  bin: string,
  home: string,
  env: Record<string, string>,
): Promise<Figure[]> {
  const feeds = startFeedServer();
  const ollama = await startOllamaDouble();
  const spec = writeBenchSpec(
    home,
    "* * * * *",
    ["a", "b", "c"].map((id) => feeds.feedUrl(id)),
    [
      '{ id: primary, kind: ollama, model: "llama3.1:8b", timeout_s: 30, retries: 0 }',
      "{ id: extractive, kind: extractive }",
    ],
  );
  const serve = startServe(bin, spec, {
    ...env,
    HOME: home,
    AFK_HOME: home,
    OLLAMA_HOST: ollama.url,
    TICK_SECONDS: "60",
    AFK_CLOCK_START: "2026-03-02T00:00:30Z",
    AFK_CLOCK_SCALE: "6000",
  });
  const t = performance.now();
  const samples: { ticks: number; rssMb: number; fds: number }[] = [];
  try {
    // A bounded poll of another process's ledger and /proc: nothing to await across processes.
    for (let i = 0; i < 40_000; i++) {
      const ticks = closedTicks(home);
      const p = probe(serve.pid);
      if (!p) throw new Error("bench: serve died during the growth run");
      if (ticks !== null && ticks >= WARM) samples.push({ ticks, rssMb: p.rssMb, fds: p.fds });
      if (ticks !== null && ticks >= WARM + TICKS) break;
      await Bun.sleep(50);
    }
    const secs = (performance.now() - t) / 1000;
    const points = samples.map((s) => ({ x: s.ticks, y: s.rssMb }));
    const windowSamples = Math.max(1, Math.round(samples.length / (TICKS / WINDOW_TICKS)));
    const trend = steadyMinimaSlope(points, windowSamples);
    const warmLow = minimaSlope(points.slice(0, windowSamples), windowSamples).minima[0]?.y ?? 0;
    const perK = trend.slope * 1000;
    const errK = slopeError(trend.minima) * 1000;
    const first = samples[0];
    const at1k = samples.find((s) => s.ticks >= WARM + 1000);
    const last = samples.at(-1);
    const ticks = (last?.ticks ?? WARM) - WARM;
    const lows = trend.minima.map((m) => round(m.y, 1));
    return [
      {
        key: "rss_growth_1000_ticks_mb",
        value: first && at1k ? round(at1k.rssMb - first.rssMb, 1) : null,
        unit: "MB",
        goal: { op: "<=", target: 10 },
        note: `two readings, after ${WARM} warm-up ticks and 1,000 later: VmRSS ${round(first?.rssMb ?? 0, 1)} → ${round(at1k?.rssMb ?? 0, 1)} MB. It swings with where between two collections each reading falls; rss_growth_mb_per_1k_ticks is the trustworthy figure`,
      },
      {
        key: "rss_growth_mb_per_1k_ticks",
        value: ticks >= TICKS ? round(perK, 2) : null,
        unit: "MB",
        goal: { op: "<=", target: 1 },
        note: `slope of the per-window VmRSS minima (± ${round(errK, 2)} standard error) over ${ticks} ticks (after ${WARM} warm-up ticks and the first window, low ${round(warmLow, 1)} MB; ${trend.minima.length} windows of ~${WINDOW_TICKS} ticks; lows ${lows[0]} … ${lows.at(-1)} MB, range ${round(Math.min(...lows), 1)}–${round(Math.max(...lows), 1)}, peak ${round(Math.max(...points.map((p) => p.y)), 1)} MB), per 1,000 ticks; fds ${first?.fds} → ${last?.fds}; compiled serve, 3 loopback feeds, Ollama double, ${round(secs, 1)} s`,
      },
    ];
  } finally {
    await serve.stop();
    await Promise.all([feeds.stop(), ollama.stop()]);
  }
}
