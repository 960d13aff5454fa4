import { Database } from "bun:sqlite";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startOllamaDouble } from "../src/evidence/doubles/ollama-double.ts";
import { probe } from "../src/soak/child.ts";
import { startFeedServer } from "../src/soak/feed-server.ts";
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

/** serve_idle_rss_mb: a compiled serve with nothing due (a yearly cadence), 2 s after it sleeps. */
export async function benchIdleRss(
  bin: string,
  floorBin: string,
  home: string,
  env: Record<string, string>,
): Promise<Figure> {
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
  const serve = startServe(bin, spec, { ...env, HOME: home, AFK_HOME: home });
  try {
    await serve.waitForLine(/^next run /);
    await Bun.sleep(2000); // idle is a duration: let start-up garbage be collected
    const p = probe(serve.pid);
    return {
      key: "serve_idle_rss_mb",
      value: p ? round(p.rssMb, 1) : null,
      unit: "MB",
      goal: { op: "<=", target: 64 },
      note: `VmRSS of the compiled afk serve, status page bound, nothing due, ${p?.fds ?? "?"} open fds. Bun's floor (compiled, bun:sqlite open, Bun.serve bound, idle) is ${round(floor?.rssMb ?? 0, 1)} MB; the rest is serve's own module graph (spec with yaml + zod, runner, harness with feedsmith and ollama, the hono status page); other commands' modules stay unloaded`,
    };
  } finally {
    await serve.stop();
  }
}

const WARM = 50;
const TICKS = 1000;

function closedTicks(home: string): number {
  const path = join(home, "ledger.sqlite");
  if (!existsSync(path)) return 0; // serve has not opened it yet
  const db = new Database(path, { readonly: true });
  try {
    return (
      db.query<{ n: number }, []>("SELECT count(*) AS n FROM ticks WHERE status != 'running'").get()?.n ?? 0
    );
  } finally {
    db.close();
  }
}

async function untilTicks(home: string, n: number, pid: number): Promise<void> {
  // Bounded poll of another process's ledger: nothing to await across processes.
  for (let i = 0; i < 3000 && closedTicks(home) < n; i++) {
    if (!probe(pid)) throw new Error("bench: serve died during the 1,000 ticks");
    await Bun.sleep(50);
  }
}

/**
 * rss_growth_1000_ticks_mb: a compiled serve ticking every (clock) minute on a ×2400 clock —
 * three loopback feeds, the Ollama double as primary — RSS after 50 warm-up ticks vs 1,000 later.
 */
export async function benchRssGrowth(
  bin: string,
  home: string,
  env: Record<string, string>,
): Promise<Figure> {
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
    AFK_CLOCK_SCALE: "2400",
  });
  const t = performance.now();
  try {
    await untilTicks(home, WARM, serve.pid);
    const warm = probe(serve.pid);
    await untilTicks(home, WARM + TICKS, serve.pid);
    const end = probe(serve.pid);
    const secs = (performance.now() - t) / 1000;
    const growth = warm && end ? end.rssMb - warm.rssMb : null;
    return {
      key: "rss_growth_1000_ticks_mb",
      value: growth === null ? null : round(growth, 1),
      unit: "MB",
      goal: { op: "<=", target: 10 },
      note: `VmRSS ${round(warm?.rssMb ?? 0, 1)} → ${round(end?.rssMb ?? 0, 1)} MB, fds ${warm?.fds} → ${end?.fds}, over ${TICKS} ticks after ${WARM} warm-up (3 loopback feeds, Ollama double; ${round(secs, 1)} s)`,
    };
  } finally {
    await serve.stop();
    await Promise.all([feeds.stop(), ollama.stop()]);
  }
}
