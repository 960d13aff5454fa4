import { afterAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OPENAI_DOUBLE_KEY, startOpenAiDouble } from "../../src/evidence/doubles/openai-double.ts";
import { sampleSources, tempHome, writeSpec } from "../support/home.ts";
import { freePort } from "../support/net.ts";
import { servePage } from "./helpers.ts";

/**
 * A real Prometheus (Debian `prometheus`) scrapes a real `afk serve` while a paid call is
 * reserved, held, then settled: the spend counter must never look like a reset to it.
 */

const PROMETHEUS = Bun.which("prometheus");
const PROMTOOL = Bun.which("promtool");
if (!PROMETHEUS || !PROMTOOL)
  console.warn(
    "SKIPPED real-Prometheus test: prometheus/promtool not installed (apt-get install -y prometheus)",
  );

const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Vector {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query against Prometheus's HTTP API. */
async function query(base: string, promql: string): Promise<Vector[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data?: { result: Vector[] }; error?: string };
  if (body.status !== "success") throw new Error(`prometheus: ${promql}: ${body.error}`);
  return body.data?.result ?? [];
}

/** Resolves once Prometheus answers `promql` with a sample for which `ok` holds (it scrapes every 200 ms). */
async function scraped(base: string, promql: string, ok: (v: number) => boolean): Promise<number> {
  for (;;) {
    const v = (await query(base, promql).catch(() => []))[0]?.value[1];
    if (v !== undefined && ok(Number(v))) return Number(v);
    await Bun.sleep(100); // the next scrape is an event only Prometheus sees: ask again
  }
}

test.skipIf(!PROMETHEUS || !PROMTOOL)(
  "Prometheus scraping serve through a paid call's reserve → settle finds resets(afk_spend_usd_total[5m]) == 0",
  async () => {
    const h = tempHome("afk-prometheus-");
    cleanups.push(h.cleanup);
    const paid = await startOpenAiDouble();
    cleanups.push(() => paid.stop());
    let release = () => {};
    paid.queueBehaviors("gpt-4o-mini", {
      kind: "gated",
      until: new Promise<void>((r) => {
        release = r;
      }),
    });
    const spec = writeSpec(h.dir, {
      sources: sampleSources(h.dir),
      models: [
        `{ id: paid, kind: openai, base_url: "${paid.baseUrl}", model: "gpt-4o-mini", api_key_env: PAID_KEY, usd_per_mtok_in: 0.15, usd_per_mtok_out: 0.6, max_output_tokens: 1200 }`,
        "{ id: extractive, kind: extractive }",
      ],
    });
    const { port } = await servePage(
      h.dir,
      spec,
      { TICK_SECONDS: "1", OLLAMA_HOST: "http://127.0.0.1:9", PAID_KEY: OPENAI_DOUBLE_KEY },
      cleanups,
    );

    const promDir = join(h.dir, "prometheus");
    mkdirSync(join(promDir, "data"), { recursive: true });
    writeFileSync(
      join(promDir, "prometheus.yml"),
      [
        "global:",
        "  scrape_interval: 200ms",
        "  scrape_timeout: 200ms",
        "scrape_configs:",
        "  - job_name: afk",
        "    static_configs:",
        `      - targets: ["127.0.0.1:${port}"]`,
        "",
      ].join("\n"),
    );
    const promPort = freePort();
    const prom = Bun.spawn(
      [
        PROMETHEUS as string,
        `--config.file=${join(promDir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(promDir, "data")}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { cwd: promDir, stdout: "ignore", stderr: "ignore" },
    );
    cleanups.push(async () => {
      if (prom.exitCode === null) prom.kill("SIGTERM");
      await prom.exited;
    });
    const base = `http://127.0.0.1:${promPort}`;

    // the paid request is held at the double: its reservation is committed, nothing is settled
    await paid.waitForRequests(1);
    const reserved = await scraped(base, "afk_spend_reserved_usd", (v) => v > 0);
    expect(await scraped(base, "afk_spend_usd_total", () => true)).toBe(0);

    release();
    const spent = await scraped(base, "afk_spend_usd_total", (v) => v > 0);
    expect(spent).toBeLessThan(reserved); // settled at the reported usage, below the worst case
    await scraped(base, "afk_spend_reserved_usd", (v) => v === 0);

    expect((await query(base, "resets(afk_spend_usd_total[5m])"))[0]?.value[1]).toBe("0");
    expect((await query(base, "max_over_time(afk_spend_reserved_usd[5m])"))[0]?.value[1]).toBe(
      String(reserved),
    );
    expect((await query(base, "sum(resets(afk_ticks_total[5m]))"))[0]?.value[1]).toBe("0");
    expect(Number((await query(base, "afk_tick_duration_seconds_count"))[0]?.value[1])).toBeGreaterThan(0);

    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const check = Bun.spawn([PROMTOOL as string, "check", "metrics"], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    check.stdin.write(text);
    await check.stdin.end();
    const [code, out, err] = await Promise.all([
      check.exited,
      new Response(check.stdout).text(),
      new Response(check.stderr).text(),
    ]);
    expect(`${out}${err}`.trim()).toBe("");
    expect(code).toBe(0);
  },
  120_000,
);
