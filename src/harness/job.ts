import type { ChainResult } from "../models/types.ts";
import type { TickScope } from "./context.ts";
import type { Delivery, TickSummary } from "./tick-row.ts";

/**
 * What a job hands the tick to deliver: the file for out/, and what its row books. The tick
 * delivers it the same way whoever made it (out/, outbox, archive, Atom).
 */
export interface Unit {
  title: string;
  /** The text of the file delivered to out/. */
  markdown: string;
  items: number;
  /** Value this unit is worth; the row books it at most once per slot. */
  valueMicros: number;
  /** Why it landed degraded (a fallback, a repaired draft, a required source down); none: ok. */
  degraded: readonly string[];
  /** The job's own attributes on the deliver step's span. */
  attrs?: Record<string, string | number>;
  /** Kept with the row's close when it delivers: item marks and source validators (the digest). */
  delivery?: Delivery;
}

/** What a tick's row records of a job whether or not it produced a unit. */
export interface JobFacts {
  model?: string;
  fallbacks: ChainResult["fallbacks"];
  failedSources: TickSummary["failedSources"];
}

/** A job's ending without a unit: the row's status and why. */
export interface NoUnit {
  ok: false;
  status: "failed" | "quiet" | "killed" | "timeout";
  reason: string;
  items?: number;
}

export type JobOutcome = JobFacts & ({ ok: true; unit: Unit } | NoUnit);

/**
 * One kind of work a tick runs: the built-in digest (the default) or the operator's command.
 * `run` does the work under its step spans and returns a unit or why there is none; opening and
 * closing the row, delivering the unit, booking value and the outbox are the tick's (tick.ts).
 * A stop (kill, timeout) may surface as a thrown TickStop.
 */
export interface Job {
  readonly kind: "digest" | "command";
  run(t: TickScope): Promise<JobOutcome>;
}
