import { existsSync, statSync } from "node:fs";
import type { SpecEnv, SpecEnvIssue } from "./env.ts";
import { jobCwd } from "./job-cwd.ts";
import type { Spec } from "./schema.ts";

/**
 * What a `job:` needs from the host at load: a `cwd` that is a directory, and every `env` name
 * set (a job that first fails at 07:00 for a typo is worse than a refusal now) and none a paid
 * link's key (the job reaches paid models through afk's proxy, never with the real key).
 */
export function jobIssues(spec: Spec, specDir: string, env: SpecEnv | undefined): SpecEnvIssue[] {
  const job = spec.job;
  if (!job) return [];
  const issues: SpecEnvIssue[] = [];
  const paidKeys = new Map(
    spec.models.flatMap((l) => (l.kind === "openai" ? [[l.api_key_env, l.id] as const] : [])),
  );
  job.env.forEach((name, i) => {
    const link = paidKeys.get(name);
    if (link)
      issues.push({
        path: ["job", "env", i],
        message: `${name} is the paid key of model link ${link}; the job reaches it through afk's proxy and never gets the key`,
      });
  });
  const cwd = jobCwd(job, specDir);
  if (!existsSync(cwd) || !statSync(cwd).isDirectory())
    issues.push({ path: ["job", "cwd"], message: `${cwd} is not an existing directory` });
  if (env)
    job.env.forEach((name, i) => {
      if (env[name] === undefined && !paidKeys.has(name))
        issues.push({ path: ["job", "env", i], message: `environment variable ${name} is not set` });
    });
  return issues;
}
