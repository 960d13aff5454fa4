import type { TickScope } from "../harness/context.ts";
import type { Job, JobOutcome } from "../harness/job.ts";
import type { JobSpec } from "../spec/job.ts";
import { runJob } from "./tick.ts";

/**
 * The operator's own command as a tick's job: the `job` step runs it behind the model proxy
 * (src/job/tick.ts) and its stdout becomes the unit, which the tick delivers as it delivers a
 * digest (out/, outbox, archive, Atom) and books once per slot.
 */
export function commandJob(job: JobSpec): Job {
  return { kind: "command", run: (t) => runCommand(job, t) };
}

async function runCommand(job: JobSpec, t: TickScope): Promise<JobOutcome> {
  const { ctx } = t;
  const base = { fallbacks: [], failedSources: [] };
  const result = await t.step("job", (span) =>
    runJob({
      job,
      loaded: ctx.loaded,
      home: ctx.home,
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
      slot: t.req.slot,
      checkpoint: () => ctx.checkpoint("job"),
    }),
  );
  if (!result.ok) return { ...base, ok: false, status: result.status, reason: result.reason };
  const unit = {
    title: result.title,
    markdown: result.file,
    items: result.items,
    valueMicros: result.valueMicros,
    degraded: [],
    attrs: { form: result.form },
  };
  return { ...base, model: "job", ok: true, unit };
}
