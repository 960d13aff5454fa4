import { Database } from "bun:sqlite";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afkChildEnv } from "../../src/evidence/afk-child.ts";
import { type KillTestFeed, startKillTestFeed } from "../../src/evidence/kill-test-feed.ts";
import type { TickRow } from "../../src/ledger/ticks.ts";
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
