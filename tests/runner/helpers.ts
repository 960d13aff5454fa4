import { Database } from "bun:sqlite";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "../../src/cli/args.ts";
import { buildContext } from "../../src/cli/context.ts";
import type { Deps } from "../../src/core/deps.ts";
import { afkChildEnv } from "../../src/evidence/afk-child.ts";
import { type KillTestFeed, startKillTestFeed } from "../../src/evidence/kill-test-feed.ts";
import { recordEndedTick } from "../../src/harness/tick-row.ts";
import type { TickRow } from "../../src/ledger/ticks.ts";
import type { TickEnv } from "../../src/runner/guarded.ts";
import { type Runner, startRunner } from "../../src/runner/loop.ts";
import type { RunnerPorts } from "../../src/runner/ports.ts";
import { pidAlive } from "../../src/runner/process.ts";
import { cronSchedule, type Schedule } from "../../src/spec/slots.ts";
import { statusHooks } from "../../src/status/hooks.ts";
import { writeSpec } from "../support/home.ts";

/**
 * A feed on loopback that can hold its answer until the test releases it, so a tick is
 * "mid-tick" for exactly as long as the test wants, with no sleeps: wait for the request,
 * act, release. The same server `afk kill-test` uses.
 */
export type HoldingFeed = KillTestFeed;
export const startHoldingFeed = startKillTestFeed;

export interface RunnerSpec {
  cadence?: string;
  maxTickSeconds?: number;
  catchUpHours?: number;
  models?: string[];
}

/** A spec in `dir` whose only source is `feedUrl` (a loopback feed), extractive unless told. */
export function runnerSpec(dir: string, feedUrl: string, o: RunnerSpec = {}): string {
  const path = writeSpec(dir, {
    sources: [{ id: "held", url: feedUrl, timeout_s: 60 }],
    minItems: 1,
    ...(o.models ? { models: o.models } : {}),
    extra: `limits:\n  max_tick_seconds: ${o.maxTickSeconds ?? 60}\n  catch_up_hours: ${o.catchUpHours ?? 12}`,
  });
  if (o.cadence)
    writeFileSync(
      path,
      readFileSync(path, "utf8").replace('cadence: "0 7 * * *"', `cadence: "${o.cadence}"`),
    );
  return path;
}

/** The ticks rows of a home's ledger, oldest first (a fresh read-only connection each time). */
export function ticksIn(home: string): TickRow[] {
  const db = new Database(join(home, "ledger.sqlite"), { readonly: true });
  try {
    return db.query<TickRow, []>("SELECT * FROM ticks ORDER BY started_at, rowid").all();
  } finally {
    db.close();
  }
}

/** Environment for a child afk: loopback only, no Ollama (connection refused), a port-0 status page. */
export function childEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return afkChildEnv({
    home,
    env: { AFK_STATUS_ADDR: "127.0.0.1:0", OLLAMA_HOST: "http://127.0.0.1:9", ...extra },
  });
}

/** The process table's readers, shared with kill-test (src/runner/proctable.ts). */
export { processTree, stillListed } from "../../src/runner/proctable.ts";

/**
 * Spend already on the ledger today: an earlier tick (ended ok, 06:00 on 2026-11-24) whose
 * settled paid call cost `micros`. The cap tests start from it.
 */
export function spentEarlierToday(db: Database, micros: number): void {
  const earlier = {
    id: "t-earlier",
    slot: "2026-11-24T06:00:00.000Z",
    trigger: "manual" as const,
    day: "2026-11-24",
    startedAt: "2026-11-24T06:00:00.000Z",
    pid: 1,
    version: "test",
    specHash: "x",
    specOrigin: "test",
    tracePath: "runs/2026-11-24/trace.jsonl",
  };
  recordEndedTick(db, earlier, { status: "ok", endedAt: earlier.startedAt });
  db.query(
    "INSERT INTO calls (tick_id, day, link_id, kind, state, cost_micros, started_at) VALUES (?, ?, 'paid', 'openai', 'settled', ?, ?)",
  ).run(earlier.id, earlier.day, micros, earlier.startedAt);
}

export interface InProcessRunner {
  /** The runner's spec, over `deps`' home. */
  spec: string;
  deps: Deps;
  /** The spec's own cadence unless told. */
  schedule?: Schedule;
  /** The test's hand on time: called for every sleep instead of waiting (the runner it belongs to is passed). */
  waitUntil(at: Date, runner: Runner): void | Promise<void>;
  harness?: TickEnv["harness"];
  graceMs?: number;
}

/**
 * `afk serve`'s runner in this process, with the status hooks and ports that send no signal
 * and exit no process. The app context is closed once the runner is done.
 */
export function startInProcessRunner(o: InProcessRunner): Runner {
  const app = buildContext(parseArgs(["serve", "--spec", o.spec]), o.deps);
  const ports: RunnerPorts = {
    isAlive: pidAlive,
    signal: () => false,
    onStop: () => () => {},
    waitUntil: async (at) => o.waitUntil(at, runner),
    after: (ms, fn) => {
      const timer = setTimeout(fn, ms);
      return () => clearTimeout(timer);
    },
    exitWithin: () => {},
  };
  const runner = startRunner({
    app,
    hooks: statusHooks,
    ports,
    session: crypto.randomUUID(),
    schedule: o.schedule ?? cronSchedule(app.loaded.spec),
    ...(o.harness ? { harness: o.harness } : {}),
    ...(o.graceMs ? { graceMs: o.graceMs } : {}),
  });
  void runner.done.finally(() => app.close());
  return runner;
}
