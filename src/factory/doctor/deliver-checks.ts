import { lookup } from "node:dns/promises";
import { describeError } from "../../core/errors.ts";
import { smtpTransportOptions } from "../../deliver/email.tsx";
import { redactor, safeOrigin } from "../../deliver/redact.ts";
import { sinkUrl } from "../../spec/env.ts";
import type { SinkSpec, Spec } from "../../spec/schema.ts";
import { type CheckResult, fail, ok } from "./check.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** How long doctor waits for a sink's server (connect, greeting, EHLO, AUTH) at most. */
export const SINK_CHECK_TIMEOUT_MS = 10_000;

function missingEnv(name: string, sink: SinkSpec, field: string, envFile: string): CheckResult {
  return fail(
    `deliver ${sink.id}`,
    `${field}: environment variable ${name} is not set`,
    `add ${name}=<value> to ${envFile}`,
  );
}

async function checkEmail(
  sink: Extract<SinkSpec, { kind: "email" }>,
  env: Env,
  envFile: string,
  timeoutMs: number,
): Promise<CheckResult> {
  const url = env[sink.smtp_url_env]?.trim();
  if (!url) return missingEnv(sink.smtp_url_env, sink, "smtp_url_env", envFile);
  const redact = redactor([url]);
  const where = safeOrigin(url);
  const { createTransport } = await import("nodemailer");
  const transport = createTransport(smtpTransportOptions(url, Math.min(timeoutMs, sink.timeout_s * 1000)));
  try {
    await transport.verify();
    return ok(`deliver ${sink.id}`, `email: ${where} connected, EHLO and AUTH accepted (nothing sent)`);
  } catch (err) {
    return fail(
      `deliver ${sink.id}`,
      `email: ${where}: ${redact(describeError(err))}`,
      `check the host, port and credentials in ${sink.smtp_url_env} (smtp://user:pass@host:587 or smtps://user:pass@host:465)`,
    );
  } finally {
    transport.close();
  }
}

async function checkHttp(
  sink: Extract<SinkSpec, { kind: "ntfy" | "webhook" }>,
  env: Env,
  envFile: string,
  resolve: (host: string) => Promise<string>,
): Promise<CheckResult> {
  if (sink.token_env && !env[sink.token_env]?.trim())
    return missingEnv(sink.token_env, sink, "token_env", envFile);
  if (sink.url_env && !env[sink.url_env]?.trim()) return missingEnv(sink.url_env, sink, "url_env", envFile);
  const url = sinkUrl(sink, env);
  const where = safeOrigin(url);
  if (where === "(invalid url)")
    return fail(
      `deliver ${sink.id}`,
      `${sink.kind}: ${sink.url_env} does not hold an http(s) URL`,
      `set ${sink.url_env} to the sink's http:// or https:// URL in ${envFile}`,
    );
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  try {
    const address = await resolve(host);
    return ok(`deliver ${sink.id}`, `${sink.kind}: ${where} resolves to ${address} (nothing sent)`);
  } catch (err) {
    return fail(
      `deliver ${sink.id}`,
      `${sink.kind}: ${where} does not resolve: ${describeError(err)}`,
      `check the url of deliver '${sink.id}' in the spec, or this host's DNS`,
    );
  }
}

/**
 * Each sink of the spec's `deliver:` list, checked without sending anything: SMTP connects, says
 * EHLO and authenticates; an ntfy or webhook URL parses (the spec did) and its host resolves.
 * No token, password or URL path is ever printed: a sink is named by its id and its origin.
 */
export async function checkSinks(
  spec: Spec,
  env: Env,
  envFile: string,
  opts: { timeoutMs?: number; resolve?: (host: string) => Promise<string> } = {},
): Promise<CheckResult[]> {
  const resolve = opts.resolve ?? (async (host: string) => (await lookup(host)).address);
  const timeoutMs = opts.timeoutMs ?? SINK_CHECK_TIMEOUT_MS;
  return Promise.all(
    spec.deliver.map((sink) => {
      switch (sink.kind) {
        case "email":
          return checkEmail(sink, env, envFile, timeoutMs);
        case "ntfy":
        case "webhook":
          return checkHttp(sink, env, envFile, resolve);
        default:
          return sink satisfies never;
      }
    }),
  );
}
