import type { Database } from "bun:sqlite";
import type { Deps } from "../core/deps.ts";
import type { FeedItem } from "../sources/types.ts";
import type { LoadedSpec } from "../spec/load.ts";
import type { ModelLink } from "../spec/schema.ts";
import type { Span } from "../trace/tracer.ts";
import type { Draft, DraftRepair } from "./draft.ts";
import type { FailureCode } from "./failure.ts";

export interface ChainContext {
  loaded: LoadedSpec;
  db: Database;
  deps: Deps;
  /** The tick's `synthesize` span. */
  span: Span;
  signal: AbortSignal;
  tickId: string;
  /** The cap's calendar day (spec time zone). */
  day: string;
  /** Today's cap in micro-USD (SPEND_CAP_USD or the spec's). */
  capMicros: number;
  /**
   * Epoch ms after which no retry wait is started (a Retry-After that does not fit is not
   * waited for). Default: the chain's start plus `limits.max_tick_seconds`.
   */
  deadline?: number;
}

/** How one link of the chain ended. */
export type LinkOutcome =
  /** `repairs`: what was fixed in the model's draft (each already a `draft.repair` event). */
  | { ok: true; draft: Draft; repairs: DraftRepair[] }
  | {
      ok: false;
      code: FailureCode;
      reason: string;
    };

export interface ChainResult {
  draft: Draft;
  link: ModelLink;
  fallbacks: { from: string; to: string; reason: string }[];
  /** Repairs made to the winning link's draft: a guardrail fired, so the tick is degraded. */
  repairs: DraftRepair[];
}

export interface SynthesisRequest {
  candidates: readonly FeedItem[];
  title: string;
}
