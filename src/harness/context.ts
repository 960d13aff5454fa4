import type { Database } from "bun:sqlite";
import type { Deps } from "../core/deps.ts";
import type { Trigger } from "../core/status.ts";
import type { LinkCallers } from "../models/chain.ts";
import type { FetchContext, SourceResult } from "../sources/types.ts";
import type { LoadedSpec } from "../spec/load.ts";
import type { SinkSpec } from "../spec/schema.ts";
import type { Span, TraceSink } from "../trace/tracer.ts";

/**
 * A tick's step spans: the digest runs fetch → triage → synthesize → validate, a command job runs
 * `job`; both end with `deliver`.
 */
export const PIPELINE_STEPS = ["fetch", "triage", "synthesize", "validate", "job", "deliver"] as const;
export type PipelineStep = (typeof PIPELINE_STEPS)[number];

/** The unit that landed in out/, as its outbox rows name it. */
export interface DeliveredUnit {
  specName: string;
  slot: string;
  tickId: string;
  outPath: string;
}

/**
 * Records a delivered unit's sends, one row per sink, inside the transaction that closes its row
 * (the deliver ring's outbox; injected so the harness never imports the rings above it).
 */
export type EnqueueDeliveries = (
  db: Database,
  d: DeliveredUnit,
  sinks: readonly SinkSpec[],
  now: Date,
) => unknown;

export interface HarnessContext {
  loaded: LoadedSpec;
  db: Database;
  deps: Deps;
  /** AFK_HOME: the unit goes to out/ and the trace to runs/ under it. */
  home: string;
  version: string;
  capMicros: number;
  /** Aborted with a TickStop by the runner (kill, max tick time). */
  signal: AbortSignal;
  /** Called before each step; throws a TickStop to stop the tick at that boundary (kill flag). */
  checkpoint: (step: PipelineStep) => void;
  fetchSources: (ctx: FetchContext) => Promise<SourceResult[]>;
  callers: LinkCallers;
  /** The outbox writer (deliver/outbox.ts `enqueue`). */
  enqueue: EnqueueDeliveries;
  /** Override the trace sink (bench: spans in memory); default appends to runs/<day>/trace.jsonl. */
  sink?: TraceSink;
}

export interface TickRequest {
  trigger: Trigger;
  /** The cadence slot this tick serves. */
  slot: Date;
  /** Run again for a slot already delivered. */
  force: boolean;
  /** Pre-chosen id (a runner that records the id before spawning a child). */
  tickId?: string;
}

/** Runs one step as a span of the tick, after the kill flag and the stop signal are checked. */
export type Step = <T>(name: PipelineStep, fn: (span: Span) => Promise<T>) => Promise<T>;

/** What a job runs with: the request, the harness's parts, the tick's id and day, its step runner. */
export interface TickScope {
  req: TickRequest;
  ctx: HarnessContext;
  tickId: string;
  /** The tick's day in the spec's time zone (spend is counted per day). */
  day: string;
  step: Step;
}
