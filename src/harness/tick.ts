import { deliveredForSlot } from "../ledger/ticks.ts";
import type { Span } from "../trace/tracer.ts";
import { closeTick } from "./close.ts";
import type { HarnessContext, TickRequest, TickScope } from "./context.ts";
import { deliverStep } from "./deliver.ts";
import { newTickId } from "./ids.ts";
import type { Job } from "./job.ts";
import { jobOf } from "./jobs.ts";
import { type Outcome, outcomeOf, outcomeOfError, stoppedMidStep, UNFINISHED } from "./outcome.ts";
import { stepper } from "./step.ts";
import {
  endBeforeStart,
  type OpenTick,
  openTickOf,
  openTickRow,
  summaryOf,
  type TickSummary,
  tickRoot,
  tickSink,
} from "./tick-row.ts";

/**
 * One tick of the spec's job (the built-in digest, or a `job:` command), one path for both:
 * the row opened `running` before any work, the job run under its step spans, its unit delivered
 * (out/, then the outbox rows with the row's close), value booked at most once per slot, and the
 * row closed in `finally` whatever happened: exactly one closed ledger row and a trace.
 */
export async function runTick(req: TickRequest, ctx: HarnessContext): Promise<TickSummary> {
  const now = ctx.deps.clock.now();
  const open = openTickOf({
    id: req.tickId ?? newTickId(now),
    slot: req.slot,
    trigger: req.trigger,
    now,
    loaded: ctx.loaded,
    version: ctx.version,
    pid: ctx.deps.pid,
  });
  const sink = tickSink(ctx.home, ctx.deps.redact, open, ctx.sink);
  const done = !req.force ? deliveredForSlot(ctx.db, open.slot) : null;
  if (done) {
    const reason = `slot ${open.slot} already delivered by tick ${done.id} (${done.out_path ?? "no file"}); --force runs it again`;
    return endBeforeStart(ctx.db, open, sink, ctx.deps.clock, { status: "skipped_done", reason });
  }

  const root = tickRoot(open, sink, ctx.deps.clock);
  openTickRow(ctx.db, open);
  let outcome: Outcome = UNFINISHED;
  try {
    outcome = await runAndDeliver(jobOf(ctx.loaded.spec), scopeOf(req, ctx, open, root));
    outcome = stoppedMidStep(outcome, ctx.signal, root);
  } catch (err) {
    outcome = outcomeOfError(err, outcome, ctx.signal, root);
  } finally {
    outcome = closeTick(ctx, open, root, outcome);
  }
  return summaryOf(open, outcome);
}

function scopeOf(req: TickRequest, ctx: HarnessContext, open: OpenTick, root: Span): TickScope {
  return { req, ctx, tickId: open.id, day: open.day, step: stepper(ctx, root) };
}

/** The job's work, then the deliver step for its unit: the same for every job. */
async function runAndDeliver(job: Job, t: TickScope): Promise<Outcome> {
  const result = await job.run(t);
  if (!result.ok) return outcomeOf(result);
  return outcomeOf(result, await deliverStep(t, result.unit));
}
