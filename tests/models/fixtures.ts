/**
 * Shared set-up for the models ring's tests: a real ledger file in a temp AFK_HOME, a spec on
 * disk, a harness context for real `runTick` calls, a chain context for direct `synthesize`
 * calls, and a loopback feed server that publishes fresh items on every fetch.
 */

import type { Database } from "bun:sqlite";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ManualClock } from "../../src/core/clock.ts";
import type { Deps } from "../../src/core/deps.ts";
import { usdToMicros } from "../../src/core/money.ts";
import { enqueue } from "../../src/deliver/outbox.ts";
import type { HarnessContext } from "../../src/harness/context.ts";
import type { TickSummary } from "../../src/harness/tick-row.ts";
import { openTickRow } from "../../src/harness/tick-row.ts";
import { openDatabase } from "../../src/ledger/db.ts";
import { defaultLinkCallers } from "../../src/models/link-callers.ts";
import type { ChainContext } from "../../src/models/types.ts";
import { fetchSources } from "../../src/sources/index.ts";
import type { FeedItem } from "../../src/sources/types.ts";
import { type LoadedSpec, loadSpecFile } from "../../src/spec/load.ts";
import { readTickTrace } from "../../src/trace/read.ts";
import { rootSpan, type TraceRecord } from "../../src/trace/tracer.ts";
import { sampleSources, tempHome, testDeps, writeSpec } from "../support/home.ts";

export interface Home {
  dir: string;
  cleanup: () => void;
  loaded: LoadedSpec;
  specPath: string;
  db: Database;
  deps: Deps;
  clock: ManualClock;
}

export interface HomeOptions {
  /** Model links as YAML flow maps, in chain order. */
  models: string[];
  env?: Record<string, string | undefined>;
  /** Default: the repo's sample feeds copied under the spec's folder. */
  sources?: { id: string; url: string }[];
  extra?: string;
  minItems?: number;
  capUsd?: number;
  /** IANA time zone of the spec (default UTC): the cap's day and a disabled tier's day follow it. */
  timezone?: string;
}

/** A temp AFK_HOME with a spec (sample feeds by default) and an open ledger file. */
export function makeHome(o: HomeOptions): Home {
  const { dir, cleanup } = tempHome("afk-models-");
  const sources = o.sources ?? sampleSources(dir);
  const specPath = writeSpec(dir, {
    sources,
    models: o.models,
    minItems: o.minItems ?? 3,
    capUsd: o.capUsd ?? 5,
    ...(o.extra ? { extra: o.extra } : {}),
  });
  if (o.timezone)
    writeFileSync(
      specPath,
      readFileSync(specPath, "utf8").replace("timezone: UTC", `timezone: ${o.timezone}`),
    );
  const loaded = loadSpecFile(specPath);
  const db = openDatabase(join(dir, "ledger.sqlite"));
  const { deps, clock } = testDeps(dir, o.env ?? {});
  return {
    dir,
    loaded,
    specPath,
    db,
    deps,
    clock,
    cleanup: () => {
      db.close();
      cleanup();
    },
  };
}

/** The context of a real tick over this home: real sources, real link callers. */
export function harnessFor(h: Home, o: { capMicros?: number; signal?: AbortSignal } = {}): HarnessContext {
  return {
    loaded: h.loaded,
    db: h.db,
    deps: h.deps,
    home: h.dir,
    version: "test",
    capMicros: o.capMicros ?? usdToMicros(h.loaded.spec.budget.daily_cap_usd),
    signal: o.signal ?? new AbortController().signal,
    checkpoint: () => {},
    fetchSources,
    callers: defaultLinkCallers,
    enqueue,
  };
}

export function traceOf(h: Home, s: TickSummary): TraceRecord[] {
  return readTickTrace(h.dir, s.tickId, s.tracePath);
}

export const eventsNamed = (records: readonly TraceRecord[], name: string) =>
  records.filter((r) => r.name === name);

export interface CallRow {
  id: number;
  tick_id: string;
  day: string;
  link_id: string;
  kind: string;
  model: string | null;
  attempt: number;
  state: string;
  reserved_micros: number;
  cost_micros: number;
  shadow_micros: number;
  tokens_in: number | null;
  tokens_out: number | null;
  outcome: string | null;
}

export function callsOf(db: Database, tickId?: string): CallRow[] {
  return tickId
    ? db.query<CallRow, [string]>("SELECT * FROM calls WHERE tick_id = ? ORDER BY id").all(tickId)
    : db.query<CallRow, []>("SELECT * FROM calls ORDER BY id").all();
}

let tickSeq = 0;

/** A chain context for a direct `synthesize` call: a `running` tick row, trace records kept in memory. */
export function chainFor(
  h: Home,
  o: { capMicros?: number; signal?: AbortSignal; deadline?: number } = {},
): { ctx: ChainContext; records: TraceRecord[] } {
  const records: TraceRecord[] = [];
  const now = h.deps.clock.now();
  const tickId = `t-chain-${process.pid}-${++tickSeq}`;
  const day = now.toISOString().slice(0, 10);
  openTickRow(h.db, {
    id: tickId,
    slot: now.toISOString(),
    trigger: "manual",
    day,
    startedAt: now.toISOString(),
    pid: process.pid,
    version: "test",
    specHash: h.loaded.hash,
    specOrigin: h.loaded.origin,
    tracePath: "memory",
  });
  const span = rootSpan(tickId, (r) => records.push(r), h.deps.clock, "synthesize");
  const ctx: ChainContext = {
    loaded: h.loaded,
    db: h.db,
    deps: h.deps,
    span,
    signal: o.signal ?? new AbortController().signal,
    tickId,
    day,
    capMicros: o.capMicros ?? usdToMicros(h.loaded.spec.budget.daily_cap_usd),
    ...(o.deadline !== undefined ? { deadline: o.deadline } : {}),
  };
  return { ctx, records };
}

/** Candidates as the sources ring hands them over. */
export function candidates(n: number): FeedItem[] {
  return Array.from({ length: n }, (_, i) => ({
    identity: `item-${i + 1}`,
    title: `Item ${i + 1}: release notes`,
    link: `https://example.test/items/${i + 1}`,
    published: "2026-11-24T06:00:00.000Z",
    summary: `Item ${i + 1} ships a fix. More details follow in the notes.`,
    sourceId: "s",
    sourceName: "Source",
  }));
}

/** A loopback RSS feed that publishes `perFetch` new items on every request, so every tick has new value. */
export function startFreshFeed(perFetch = 4): { url: string; stop: () => Promise<void> } {
  let n = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch() {
      const items = Array.from({ length: perFetch }, () => {
        n++;
        return `<item><title>Story ${n}</title><link>https://news.test/stories/${n}</link><guid>story-${n}</guid><description>Story ${n} is new today. It matters for operators.</description><pubDate>Tue, 24 Nov 2026 06:00:00 GMT</pubDate></item>`;
      });
      const xml = `<?xml version="1.0"?><rss version="2.0"><channel><title>Fresh</title><link>https://news.test/</link><description>fresh</description>${items.join("")}</channel></rss>`;
      return new Response(xml, { headers: { "content-type": "application/rss+xml" } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/feed.xml`, stop: () => server.stop(true) };
}
