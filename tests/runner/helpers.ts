import { Database } from "bun:sqlite";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    AFK_HOME: home,
    AFK_KILL_FLAG: join(home, "afk.kill"),
    AFK_STATUS_ADDR: "127.0.0.1:0",
    OLLAMA_HOST: "http://127.0.0.1:9",
    ...extra,
  };
}

/** Reads a child's stdout line by line, so a test can await the line that says it got somewhere. */
export function lineReader(stream: ReadableStream<Uint8Array>) {
  const lines: string[] = [];
  let waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  let buf = "";
  const done = (async () => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (;;) {
      const { done: ended, value: chunk } = await reader.read();
      if (ended) break;
      buf += decoder.decode(chunk, { stream: true });
      let i = buf.indexOf("\n");
      while (i >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        for (const w of waiters.filter((w) => w.re.test(line))) w.resolve(line);
        waiters = waiters.filter((w) => !w.re.test(line));
        i = buf.indexOf("\n");
      }
    }
  })();
  return {
    lines,
    done,
    waitFor(re: RegExp): Promise<string> {
      const hit = lines.find((l) => re.test(l));
      return hit ? Promise.resolve(hit) : new Promise((resolve) => waiters.push({ re, resolve }));
    },
  };
}

/** The live processes as pid → ppid (`ps -e`); zombies (exited, not yet reaped) are left out. */
export function processTable(): Map<number, number> {
  const out = Bun.spawnSync(["ps", "-e", "-o", "pid=,ppid=,stat="]).stdout.toString();
  const table = new Map<number, number>();
  for (const line of out.split("\n")) {
    const [pid, ppid, stat] = line.trim().split(/\s+/);
    if (pid && ppid && !stat?.startsWith("Z")) table.set(Number(pid), Number(ppid));
  }
  return table;
}

/** `pid` and every process below it, from the process table. */
export function processTree(pid: number, table = processTable()): number[] {
  const out = table.has(pid) ? [pid] : [];
  for (let i = 0; i < out.length; i++)
    for (const [p, pp] of table) if (pp === out[i] && !out.includes(p)) out.push(p);
  return out;
}

/** Those of `pids` still alive in the process table. */
export function stillListed(pids: readonly number[]): number[] {
  const table = processTable();
  return pids.filter((p) => table.has(p));
}
