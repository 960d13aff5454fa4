import { describeError } from "../core/errors.ts";
import { classifyFault } from "../core/fault.ts";
import type { ChainResult } from "../models/types.ts";
import type { Span } from "../trace/tracer.ts";
import { stopStatus, TickStop } from "./abort.ts";
import type { JobOutcome } from "./job.ts";
import type { Delivery, TickResult, TickSummary } from "./tick-row.ts";

/** How a tick ended: what its row is closed with. */
export interface Outcome extends TickResult {
  fallbacks: ChainResult["fallbacks"];
  failedSources: TickSummary["failedSources"];
  delivery?: Delivery;
}

/** A tick's outcome until its job says otherwise: what a row closes with if nothing finished. */
export const UNFINISHED: Outcome = {
  status: "failed",
  reason: "tick did not finish",
  fallbacks: [],
  failedSources: [],
};

/** The row's ending from a job's outcome; `outPath`: where the deliver step put its unit. */
export function outcomeOf(r: JobOutcome, outPath?: string): Outcome {
  const facts = { fallbacks: r.fallbacks, failedSources: r.failedSources, model: r.model };
  if (!r.ok) return { ...facts, status: r.status, reason: r.reason, items: r.items };
  const { unit } = r;
  return {
    ...facts,
    status: unit.degraded.length ? "degraded" : "ok",
    reason: unit.degraded.length ? unit.degraded.join("; ") : null,
    outPath,
    valueMicros: unit.valueMicros,
    items: unit.items,
    delivery: unit.delivery,
  };
}

/**
 * A stop that arrived mid-step can surface as a step's own failure (every fetch aborted): the
 * row says why the tick really ended, unless value already landed.
 */
export function stoppedMidStep(o: Outcome, signal: AbortSignal, root: Span): Outcome {
  const stopped = stopStatus(signal);
  if (!stopped || o.status !== "failed") return o;
  root.event(`tick.${stopped.status}`, { reason: stopped.message });
  return { ...o, status: stopped.status, reason: stopped.message };
}

/** The ending of a tick whose work threw: a stop (kill, timeout), a disk fault named with its fix, or the error as it came. */
export function outcomeOfError(err: unknown, o: Outcome, signal: AbortSignal, root: Span): Outcome {
  const stop = err instanceof TickStop ? err : stopStatus(signal);
  if (stop) {
    root.event(`tick.${stop.status}`, { reason: stop.message });
    return { ...o, status: stop.status, reason: stop.message };
  }
  const fault = classifyFault(err);
  const reason =
    fault.code === "io" ? `${fault.what} — fix: ${fault.fix}` : `unexpected error: ${describeError(err)}`;
  root.event("tick.error", {}, err);
  return { ...o, status: "failed", reason };
}
