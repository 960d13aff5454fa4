import type { Spec } from "./schema.ts";

export type SpecEnv = Readonly<Record<string, string | undefined>>;

/** A field whose environment variable is missing or unusable; the value itself is never quoted. */
export interface SpecEnvIssue {
  path: (string | number)[];
  message: string;
}

const SMTP_URL = /^smtps?:\/\/[^\s/]+/i;

/** An http(s) URL with a host, as a sink's `url_env` must hold. */
function httpUrlProblem(v: string): string | null {
  try {
    const u = new URL(v);
    if ((u.protocol === "http:" || u.protocol === "https:") && u.hostname) return null;
  } catch {
    // not a URL at all: said below
  }
  return "must hold an http:// or https:// URL";
}

/**
 * Where an ntfy or webhook sink posts: its `url`, or the value of the variable its `url_env`
 * names (checked at load by specEnvIssues). Never logged: a sink is named by its id.
 */
export function sinkUrl(
  sink: { url?: string | undefined; url_env?: string | undefined },
  env: SpecEnv,
): string {
  return sink.url ?? env[sink.url_env ?? ""]?.trim() ?? "";
}

/**
 * The environment variables the spec's `deliver:` sinks name must be set at load (exit 2 naming
 * the field), so a sink never first fails at 07:00 for a typo. Paid model keys are not checked
 * here: a missing key falls back down the chain by design.
 */
export function specEnvIssues(spec: Spec, env: SpecEnv): SpecEnvIssue[] {
  const issues: SpecEnvIssue[] = [];
  spec.deliver.forEach((sink, i) => {
    const need = (field: string, name: string | undefined, check?: (v: string) => string | null) => {
      if (name === undefined) return;
      const value = env[name]?.trim();
      if (!value) {
        issues.push({ path: ["deliver", i, field], message: `environment variable ${name} is not set` });
        return;
      }
      const bad = check?.(value);
      if (bad) issues.push({ path: ["deliver", i, field], message: `environment variable ${name} ${bad}` });
    };
    switch (sink.kind) {
      case "email":
        need("smtp_url_env", sink.smtp_url_env, (v) =>
          SMTP_URL.test(v) ? null : "must be smtp://user:pass@host:587 or smtps://user:pass@host:465",
        );
        return;
      case "ntfy":
      case "webhook":
        need("url_env", sink.url_env, httpUrlProblem);
        need("token_env", sink.token_env);
        return;
      default:
        sink satisfies never;
    }
  });
  return issues;
}
