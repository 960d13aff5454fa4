import { commandJob } from "../job/command.ts";
import type { Spec } from "../spec/schema.ts";
import { digestJob } from "./digest/job.ts";
import type { Job } from "./job.ts";

/** The job a spec's ticks run: its `job:` when it names one, else the built-in digest. */
export function jobOf(spec: Pick<Spec, "job">): Job {
  const job = spec.job;
  if (!job) return digestJob;
  switch (job.kind) {
    case "command":
      return commandJob(job);
    default: {
      const never: never = job.kind;
      return never;
    }
  }
}
