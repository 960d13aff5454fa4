import { classifyFault } from "../core/fault.ts";
import { isDelivered } from "../core/status.ts";
import { getTick } from "../ledger/ticks.ts";
import type { Span } from "../trace/tracer.ts";
import type { HarnessContext } from "./context.ts";
import type { Outcome } from "./outcome.ts";
import { traceOverruns } from "./overruns.ts";
import { closeOnFullDisk, closeTickRow, isFullDisk, type OpenTick, type TickEnding } from "./tick-row.ts";

/**
 * Closes the tick's row with its outcome, whichever job ran. A delivered unit's outbox rows
 * commit in the same transaction as the row that records its value: both or neither. Returns
 * the outcome as booked (a re-run of a slot already valued books none) and ends the root span.
 */
export function closeTick(ctx: HarnessContext, open: OpenTick, root: Span, outcome: Outcome): Outcome {
  const ended = ctx.deps.clock.now();
  const ending: TickEnding = {
    status: outcome.status,
    endedAt: ended.toISOString(),
    valueMicros: outcome.valueMicros ?? 0,
    items: outcome.items ?? 0,
    model: outcome.model ?? null,
    outPath: outcome.outPath ?? null,
    reason: outcome.reason,
    detail: { fallbacks: outcome.fallbacks, failed_sources: outcome.failedSources },
    ...(outcome.delivery ? { delivery: outcome.delivery } : {}),
  };
  try {
    writeClose(ctx, open, outcome, ending);
  } catch (err) {
    // The ledger's disk filled: the row still says so (failed, the fault's fix), then the error goes on.
    if (!isFullDisk(err) || !closeOnFullDisk(ctx.db, open.id, ending.endedAt, err)) throw err;
    root.event("tick.close_on_full_disk", {}, err);
    root.set({ reason: classifyFault(err).what });
    root.end("failed");
    throw err;
  }
  const row = getTick(ctx.db, open.id);
  const booked = row ? { ...outcome, valueMicros: row.value_micros, reason: row.reason } : outcome;
  traceOverruns(root, ctx.db, { tickId: open.id, day: open.day, capMicros: ctx.capMicros });
  root.set({ reason: booked.reason, value_micros: booked.valueMicros ?? 0, out: booked.outPath ?? null });
  root.end(booked.status);
  return booked;
}

/** The row's close, with the unit's outbox rows in the same transaction when it delivered. */
function writeClose(ctx: HarnessContext, open: OpenTick, outcome: Outcome, ending: TickEnding): void {
  const sinks = ctx.loaded.spec.deliver;
  const outPath = outcome.outPath;
  if (outPath && sinks.length > 0 && isDelivered(outcome.status)) {
    const unit = { specName: ctx.loaded.spec.name, slot: open.slot, tickId: open.id, outPath };
    ctx.db
      .transaction(() => {
        closeTickRow(ctx.db, open.id, ending);
        ctx.enqueue(ctx.db, unit, sinks, new Date(ending.endedAt));
      })
      .immediate();
  } else closeTickRow(ctx.db, open.id, ending);
}
