import { writeFileSync } from "node:fs";
import { parseArgs } from "../../src/cli/args.ts";
import { buildContext } from "../../src/cli/context.ts";
import { run } from "../../src/cli/run.ts";
import type { ManualClock } from "../../src/core/clock.ts";
import { startOpenAiDouble } from "../../src/evidence/doubles/openai-double.ts";
import type { AppContext } from "../../src/runner/app.ts";
import type { RunnerHandle } from "../../src/runner/handle.ts";
import { closeSession, openSession } from "../../src/runner/session.ts";
import { type FeedServer, startFeedServer } from "../../src/soak/feed-server.ts";
import { nextSlot } from "../../src/spec/slots.ts";
import type { Verdict } from "../../src/status/snapshot-view.ts";
import { tempHome, testDeps, writeSpec } from "../support/home.ts";
import { testHandle, tickAndHook } from "./helpers.ts";

/**
 * One AFK_HOME per verdict, brought there by real ticks (local feeds, loopback doubles, the real
 * CLI for refused and halted ticks), for the page, the CLI and /metrics to be looked at.
 */
export interface Scenario {
  verdict: Verdict;
  app: AppContext;
  handle: RunnerHandle;
  /** Ledger rows the scenario made: the heartbeat strip shows min(48, rows) cells. */
  rows: number;
  /** Words the verdict's lines must carry (its reasons, translated). */
  says: string[];
  /**
   * The verdict `afk status` gives from another process when it differs: it cannot see this
   * test's runner (no serve process), so a home with no tick yet is `not running` to it.
   */
  cli?: Verdict;
  /** The spec's path, for `afk status --spec` from the CLI. */
  spec: string;
  /** The test's clock (the app's and the CLI's): advance it to let time pass. */
  clock: ManualClock;
  cleanup: () => Promise<void>;
}

/** How a scenario's CLI ticks run: by hand (`afk tick`), or as the cron line (`afk tick --cron`). */
export interface ScenarioOptions {
  cron?: boolean;
}

function tickArgs(spec: string, o: ScenarioOptions): string[] {
  return ["tick", "--spec", spec, ...(o.cron ? ["--cron"] : [])];
}

const HOUR = 3_600_000;

async function closedPort(): Promise<number> {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = s.port ?? 0;
  await s.stop(true);
  return port;
}

/**
 * A home whose two required feeds (`news`, `ops`) are real loopback feeds with three new items
 * on every fetch, so each tick has fresh value unless a feed is switched down.
 */
function home(models?: string[], env: Record<string, string> = {}, minItems = 1) {
  const h = tempHome("afk-glance-");
  const feeds: FeedServer = startFeedServer();
  const spec = writeSpec(h.dir, {
    sources: [
      { id: "news", url: feeds.feedUrl("news") },
      { id: "ops", url: feeds.feedUrl("ops") },
    ],
    ...(models ? { models } : {}),
    minItems,
    extra: "watchdog:\n  no_value_ticks: 3",
  });
  // Port 0: the browser test binds its own free port, never the default 8787.
  const t = testDeps(h.dir, { AFK_STATUS_ADDR: "127.0.0.1:0", ...env }, "2026-11-24T07:00:00Z");
  const app = buildContext(parseArgs(["serve", "--spec", spec]), t.deps);
  const cleanup = async () => {
    app.close();
    await feeds.stop();
    h.cleanup();
  };
  return { spec, t, app, feeds, cleanup };
}

/** A runner handle whose next run follows the spec's schedule on the test's clock. */
function runner(app: AppContext, alive = true): RunnerHandle {
  const h = testHandle({ alive }).handle;
  return { ...h, nextRun: () => (alive ? nextSlot(app.loaded.spec, app.deps.clock.now()) : null) };
}

/** `n` ticks an hour apart through the harness, then a few minutes pass. */
async function ticks(app: AppContext, clock: { advance(ms: number): void }, n: number) {
  for (let i = 0; i < n; i++) {
    if (i > 0) clock.advance(HOUR);
    await tickAndHook(app);
  }
  clock.advance(3 * 60_000);
}

/** Halted at the cap: a paid tick spends the whole cap, then a CLI tick is refused (exit 3). */
export async function haltedHome(o: ScenarioOptions = {}): Promise<Scenario> {
  const paid = await startOpenAiDouble();
  // output at $100/Mtok, 1000 tokens: one call costs $0.10, the whole cap
  paid.setBehavior("*", { kind: "reply", completionTokens: 1000 });
  const {
    spec,
    t,
    app,
    cleanup: home_cleanup,
  } = home(
    [
      `{ id: paid, kind: openai, base_url: "${paid.baseUrl}", model: "gpt-4o-mini", api_key_env: PAID_KEY, usd_per_mtok_in: 0, usd_per_mtok_out: 100, max_output_tokens: 1000 }`,
      "{ id: extractive, kind: extractive }",
    ],
    { SPEND_CAP_USD: "0.1", PAID_KEY: "sk-test-double-0000" },
  );
  await ticks(app, t.clock, 1);
  const code = await run(tickArgs(spec, o), t.deps); // the real guard: exit 3, a halted_cap row
  if (code !== 3)
    throw new Error(`expected the cap to halt the tick (exit 3), got ${code}: ${t.out.join(" | ")}`);
  return {
    spec,
    clock: t.clock,
    verdict: "halted",
    app,
    handle: runner(app),
    rows: 2,
    says: ["spend cap reached: $0.10 of $0.10 today"],
    cleanup: async () => {
      await home_cleanup();
      await paid.stop();
    },
  };
}

/** Stopped by the kill flag: three ticks, then the flag, then a CLI tick it refuses (exit 0). */
export async function stoppedHome(o: ScenarioOptions = {}): Promise<Scenario> {
  const { spec, t, app, cleanup } = home();
  await ticks(app, t.clock, 3);
  writeFileSync(app.host.killFlag, "stopped by the glance test\n");
  const code = await run(tickArgs(spec, o), t.deps); // refused by the flag: exit 0, a refused_kill row
  if (code !== 0) throw new Error(`expected the flag to refuse the tick (exit 0), got ${code}`);
  return {
    spec,
    clock: t.clock,
    verdict: "stopped",
    app,
    handle: runner(app),
    rows: 4,
    says: ["the kill flag", "is present"],
    cleanup,
  };
}

export const SCENARIOS: Record<Verdict, () => Promise<Scenario>> = {
  async delivering() {
    const { spec, t, app, cleanup } = home();
    await ticks(app, t.clock, 50);
    return {
      spec,
      clock: t.clock,
      verdict: "delivering",
      app,
      handle: runner(app),
      rows: 50,
      says: ["last digest 3 min ago"],
      cleanup,
    };
  },

  async degraded() {
    const port = await closedPort();
    const { spec, t, app, feeds, cleanup } = home(
      [
        '{ id: primary, kind: ollama, model: "llama3.1:8b", timeout_s: 5, retries: 0 }',
        "{ id: extractive, kind: extractive }",
      ],
      { OLLAMA_HOST: `http://127.0.0.1:${port}` },
    );
    await ticks(app, t.clock, 4);
    feeds.setMode("ops", "unavailable");
    t.clock.advance(HOUR);
    await ticks(app, t.clock, 1);
    return {
      spec,
      clock: t.clock,
      verdict: "degraded",
      app,
      handle: runner(app),
      rows: 5,
      says: [
        `primary (llama3.1:8b): connection refused at 127.0.0.1:${port} — is Ollama running?`,
        "required source ops:",
        "answered HTTP 503",
      ],
      cleanup,
    };
  },

  async quiet() {
    // every feed answers with three new items a fetch, fewer than min_items: quiet mornings
    const { spec, t, app, cleanup } = home(undefined, {}, 20);
    await ticks(app, t.clock, 3);
    return {
      spec,
      clock: t.clock,
      verdict: "quiet",
      app,
      handle: runner(app),
      rows: 3,
      says: ["new items, fewer than min_items: every required source answered", "not a failure"],
      cleanup,
    };
  },

  async failing() {
    const { spec, t, app, feeds, cleanup } = home();
    await ticks(app, t.clock, 2);
    feeds.setMode("news", "unavailable");
    feeds.setMode("ops", "gone");
    t.clock.advance(HOUR);
    await ticks(app, t.clock, 3);
    return {
      spec,
      clock: t.clock,
      verdict: "failing",
      app,
      handle: runner(app),
      rows: 5,
      says: ["the last tick failed", "answered HTTP 404", "watchdog alert: 3 ticks in a row without value"],
      cleanup,
    };
  },

  halted: () => haltedHome(),
  stopped: () => stoppedHome(),

  async "not running"() {
    const { spec, t, app, cleanup } = home();
    openSession(app.db(), { session: "s1", pid: 4242, mode: "cron", at: t.clock.now() });
    await ticks(app, t.clock, 3);
    closeSession(app.db(), {
      session: "s1",
      at: t.clock.now(),
      reason: "runner error: disk full",
      exitCode: 1,
    });
    t.clock.advance(2 * 24 * HOUR);
    return {
      spec,
      clock: t.clock,
      verdict: "not running",
      app,
      handle: runner(app, false),
      rows: 3,
      says: ["serve stopped 2026-11-24 09:03", "runner error: disk full (exit 1)"],
      cleanup,
    };
  },
};
