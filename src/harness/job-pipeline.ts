import { runJob } from "../job/tick.ts";
import type { JobSpec } from "../spec/job.ts";
import type { Span } from "../trace/tracer.ts";
import type { HarnessContext, Outcome, Step, TickRequest } from "./tick.ts";

export interface JobPipelineInput {
  req: TickRequest;
  ctx: HarnessContext;
  t: { tickId: string; day: string; root: Span };
  step: Step;
  /** The harness's deliver write (atomic, one file per slot), shared with the digest. */
  writeOut: (md: string) => string;
}

/**
 * A tick of a `job:` spec: the `job` step runs the operator's command behind the model proxy,
 * then the `deliver` step writes its unit exactly as a digest is written; the row, the outbox,
 * the archive and the Atom feed follow from the row as for a digest.
 */
export async function jobPipeline(job: JobSpec, p: JobPipelineInput): Promise<Outcome> {
  const { ctx, t } = p;
  const base = { fallbacks: [], failedSources: [] };
  const result = await p.step("job", (span) =>
    runJob({
      job,
      loaded: ctx.loaded,
      proxy: {
        loaded: ctx.loaded,
        db: ctx.db,
        deps: ctx.deps,
        tickId: t.tickId,
        day: t.day,
        capMicros: ctx.capMicros,
        signal: ctx.signal,
      },
      span,
      slot: p.req.slot,
      checkpoint: () => ctx.checkpoint("job"),
    }),
  );
  if (!result.ok) return { ...base, status: result.status, reason: result.reason };
  const outPath = await p.step("deliver", async (span) => {
    const path = p.writeOut(result.file);
    span.set({ path, bytes: result.file.length, form: result.form });
    return path;
  });
  return {
    ...base,
    status: "ok",
    reason: null,
    outPath,
    valueMicros: result.valueMicros,
    items: result.items,
    model: "job",
  };
}
