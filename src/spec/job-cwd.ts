import { resolve } from "node:path";

/**
 * The job's working directory: `cwd` relative to SPEC.md's folder. Apart from the job's schema
 * (zod) so a serve running a cached spec need not load zod to start a job.
 */
export function jobCwd(job: { cwd?: string | undefined }, specDir: string): string {
  return resolve(specDir, job.cwd ?? ".");
}
