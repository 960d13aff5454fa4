import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { systemClock } from "../src/core/clock.ts";
import type { Deps } from "../src/core/deps.ts";
import { pidAlive } from "../src/core/pid.ts";
import { enqueue } from "../src/deliver/outbox.ts";
import { deliverPending } from "../src/deliver/run.ts";
import { buildSinks } from "../src/deliver/sinks.ts";
import { runTick } from "../src/harness/tick.ts";
import { openDatabase } from "../src/ledger/db.ts";
import { defaultLinkCallers } from "../src/models/link-callers.ts";
import { fetchSources } from "../src/sources/index.ts";
import { parseSpec } from "../src/spec/load.ts";
import { type Figure, median, round } from "./figure.ts";
import { startSmtpResponder } from "./smtp-responder.ts";

const RUNS = 7;

function specText(name: string, sinks: readonly string[]): string {
  return [
    "---",
    `name: ${name}`,
    'cadence: "0 * * * *"',
    "timezone: UTC",
    "budget: { daily_cap_usd: 5 }",
    "value: { unit: digest, usd_per_unit: 2.5, min_items: 3 }",
    "sources:",
    "  - { id: news, url: feeds/news.xml }",
    "models:",
    "  - { id: extractive, kind: extractive }",
    ...(sinks.length ? ["deliver:", ...sinks.map((s) => `  - ${s}`)] : []),
    "---",
    "",
    "Bench spec.",
    "",
  ].join("\n");
}

/** Five fresh items per run, so every tick has a digest to write and deliver. */
function writeFeed(dir: string, run: number): void {
  const items = Array.from(
    { length: 5 },
    (_, i) =>
      `<item><title>Run ${run} item ${i}</title><link>https://example.org/${run}/${i}</link><guid>r${run}-${i}</guid><description>About item ${i}.</description></item>`,
  ).join("");
  writeFileSync(
    join(dir, "feeds", "news.xml"),
    `<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>https://example.org/</link><description>d</description>${items}</channel></rss>`,
  );
}

async function loopbackSinks() {
  const smtp = await startSmtpResponder();
  const http = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      await req.text();
      return new Response("ok");
    },
  });
  return {
    env: { BENCH_SMTP: `smtp://afk:pw@127.0.0.1:${smtp.port}` },
    sinks: [
      '{ id: inbox, kind: email, to: ["me@example.org"], from: "afk <afk@example.org>", smtp_url_env: BENCH_SMTP }',
      `{ id: phone, kind: ntfy, url: "http://127.0.0.1:${http.port}/digest" }`,
      `{ id: chat, kind: webhook, url: "http://127.0.0.1:${http.port}/hook", format: json }`,
    ],
    stop: async () => {
      http.stop(true);
      await smtp.stop();
    },
  };
}

/** One tick as `afk tick` runs it for value: the harness, then the after-tick delivery pass. */
async function timedTick(
  dir: string,
  withSinks: boolean,
  sinks: readonly string[],
  env: Deps["env"],
  run: number,
) {
  const home = join(dir, withSinks ? "sinks" : "none");
  mkdirSync(join(home, "feeds"), { recursive: true });
  writeFeed(home, run);
  const loaded = parseSpec(
    specText("bench-deliver", withSinks ? sinks : []),
    join(home, "SPEC.md"),
    "bench",
    home,
  );
  const db = openDatabase(join(home, "ledger.sqlite"));
  const deps: Deps = {
    clock: systemClock,
    fetch: globalThis.fetch,
    env,
    cwd: home,
    print: () => {},
    warn: () => {},
    pid: process.pid,
  };
  try {
    const t = performance.now();
    const s = await runTick(
      { trigger: "manual", slot: new Date(Date.UTC(2026, 0, 1, run)), force: true },
      {
        loaded,
        db,
        deps,
        home,
        version: "bench",
        capMicros: 5_000_000,
        signal: new AbortController().signal,
        checkpoint: () => {},
        fetchSources,
        callers: defaultLinkCallers,
        enqueue,
        sink: () => {},
      },
    );
    const reports = await deliverPending({
      db,
      home,
      specName: loaded.spec.name,
      sinks: buildSinks(loaded.spec.deliver, env, globalThis.fetch),
      clock: systemClock,
      pid: process.pid,
      isAlive: pidAlive,
    });
    const ms = performance.now() - t;
    if (s.status !== "ok") throw new Error(`bench tick ended ${s.status}: ${s.reason}`);
    if (withSinks && reports.filter((r) => r.status === "sent").length !== 3)
      throw new Error(`bench: expected 3 deliveries, got ${JSON.stringify(reports)}`);
    return ms;
  } finally {
    db.close();
  }
}

/**
 * deliver_3_sinks_added_ms: a tick that delivers to three sinks on loopback (an SMTP server with
 * AUTH that answers at once, an ntfy-style and a JSON webhook receiver) minus the same tick with no sinks,
 * median of 7 pairs run side by side after one warm-up pair.
 */
export async function benchDeliver(dir: string): Promise<Figure> {
  const s = await loopbackSinks();
  try {
    const withSinks: number[] = [];
    const without: number[] = [];
    for (let run = 0; run <= RUNS; run++) {
      const a = await timedTick(dir, false, s.sinks, s.env, run);
      const b = await timedTick(dir, true, s.sinks, s.env, run);
      if (run === 0) continue; // warm-up: JIT, nodemailer's first import, first connections
      without.push(a);
      withSinks.push(b);
    }
    const added = median(withSinks) - median(without);
    return {
      key: "deliver_3_sinks_added_ms",
      value: round(added, 1),
      unit: "ms",
      goal: { op: "<=", target: 50 },
      note: `tick + delivery to email (SMTP with AUTH, bench/smtp-responder.ts), ntfy and a JSON webhook on loopback ${round(median(withSinks), 1)} ms vs the same tick with no sinks ${round(median(without), 1)} ms; median of ${RUNS}; the sinks are sent side by side, one SMTP connection per message`,
    };
  } finally {
    await s.stop();
  }
}
