import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "../../src/cli/args.ts";
import { buildContext } from "../../src/cli/context.ts";
import { run } from "../../src/cli/run.ts";
import type { ManualClock } from "../../src/core/clock.ts";
import { type OllamaDouble, startOllamaDouble } from "../../src/evidence/doubles/ollama-double.ts";
import {
  OPENAI_DOUBLE_KEY,
  type OpenAiDouble,
  startOpenAiDouble,
} from "../../src/evidence/doubles/openai-double.ts";
import type { TickSummary } from "../../src/harness/tick-row.ts";
import type { AppContext } from "../../src/runner/app.ts";
import { guardedTick } from "../../src/runner/guarded.ts";
import { latestSlot } from "../../src/spec/slots.ts";
import { statusHooks } from "../../src/status/hooks.ts";
import { tempHome, testDeps } from "../support/home.ts";

/** A loopback feed that hands out `perRequest` items never seen before on every request. */
export function freshFeed(perRequest = 4) {
  let n = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch() {
      const items = Array.from({ length: perRequest }, () => {
        n++;
        return `<item><title>Release note ${n}: sqlite and bun</title><link>https://example.test/notes/${n}</link><guid>note-${n}</guid><description>Note ${n} says what changed. It matters for operators.</description></item>`;
      }).join("");
      return new Response(
        `<?xml version="1.0"?><rss version="2.0"><channel><title>notes</title><link>https://example.test/</link><description>d</description>${items}</channel></rss>`,
        { headers: { "content-type": "application/rss+xml" } },
      );
    },
  });
  return { url: `http://127.0.0.1:${server.port}/feed.xml`, stop: () => server.stop(true) };
}

export interface LabHome {
  dir: string;
  spec: string;
  env: Record<string, string>;
  clock: ManualClock;
  ollama: OllamaDouble;
  paid: OpenAiDouble;
  /** Day 0 of the unattended clock. */
  day0: string;
  out: string[];
  err: string[];
  cleanup(): Promise<void>;
  /** An app over this home at the clock's current time (the same context `afk` builds). */
  app(): AppContext;
  /** One runner tick (trigger schedule) for the latest slot, guarded exactly as `afk serve` runs it. */
  scheduledTick(): Promise<TickSummary>;
}

const DAY_MS = 86_400_000;

/**
 * A home where the lab actually ran: the clock started on Day 0, then a real runner tick every
 * morning through the harness, the model doubles and the ledger — free most days, the paid tier
 * on `paidDays` (primary broken), extractive on `degradedDays` (primary broken, paid out of quota).
 */
export async function labHome(opts: {
  days: number;
  day0?: string;
  paidDays?: number[];
  degradedDays?: number[];
  beforeDay?: (day: number, home: LabHome) => void | Promise<void>;
}): Promise<LabHome> {
  const h = tempHome("afk-evidence-");
  const feed = freshFeed();
  const ollama = await startOllamaDouble();
  const paid = await startOpenAiDouble();
  const spec = join(h.dir, "SPEC.md");
  writeFileSync(
    spec,
    [
      "---",
      "name: lab-digest",
      'cadence: "0 7 * * *"',
      "timezone: UTC",
      "budget:",
      "  daily_cap_usd: 1.00",
      "value:",
      "  unit: digest",
      "  usd_per_unit: 2.5",
      "  min_items: 3",
      "sources:",
      `  - { id: notes, url: "${feed.url}", timeout_s: 5 }`,
      "models:",
      '  - { id: primary, kind: ollama, model: "llama3.1:8b", timeout_s: 5, retries: 0 }',
      `  - { id: paid, kind: openai, base_url: "${paid.baseUrl}", model: "gpt-4o-mini", api_key_env: LAB_PAID_KEY, usd_per_mtok_in: 0.15, usd_per_mtok_out: 0.60, max_output_tokens: 400, retries: 0 }`,
      "  - { id: extractive, kind: extractive }",
      "---",
      "",
      "## Why a digest is worth $2.50",
      "",
      "Ten minutes of skimming at $15/hour.",
      "",
    ].join("\n"),
  );
  const day0 = opts.day0 ?? "2026-06-01";
  const env = { OLLAMA_HOST: ollama.url, LAB_PAID_KEY: OPENAI_DOUBLE_KEY };
  const t = testDeps(h.dir, env, `${day0}T06:00:00Z`);
  const home: LabHome = {
    dir: h.dir,
    spec,
    env: { ...(t.deps.env as Record<string, string>) },
    clock: t.clock,
    ollama,
    paid,
    day0,
    out: t.out,
    err: t.err,
    async cleanup() {
      feed.stop();
      await ollama.stop();
      await paid.stop();
      h.cleanup();
    },
    app: () => buildContext(parseArgs(["tick", "--spec", spec]), t.deps),
    async scheduledTick() {
      const app = home.app();
      try {
        const slot = latestSlot(app.loaded.spec, app.deps.clock.now());
        return await guardedTick(
          { trigger: "schedule", slot, force: false },
          { app, hooks: statusHooks, session: "lab", ports: { isAlive: () => false, after: () => () => {} } },
        );
      } finally {
        app.close();
      }
    },
  };
  if ((await run(["clock", "start", "--spec", spec], t.deps)) !== 0) throw new Error(t.err.join("\n"));
  for (let d = 0; d < opts.days; d++) {
    t.clock.set(new Date(Date.parse(`${day0}T07:00:00Z`) + d * DAY_MS));
    const broken = opts.paidDays?.includes(d) || opts.degradedDays?.includes(d);
    ollama.setBehavior(
      "llama3.1:8b",
      broken ? { kind: "error", status: 500, message: "model crashed" } : undefined,
    );
    paid.setBehavior(
      "gpt-4o-mini",
      opts.degradedDays?.includes(d) ? { kind: "insufficient_quota" } : undefined,
    );
    await opts.beforeDay?.(d, home);
    await home.scheduledTick();
  }
  ollama.setBehavior("llama3.1:8b", undefined);
  paid.setBehavior("gpt-4o-mini", undefined);
  return home;
}
