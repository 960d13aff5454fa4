import { z } from "zod";
import { describeError } from "../core/errors.ts";
import { retryAfterMs } from "../core/retry-after.ts";
import type { OpenAiLinkSpec } from "../spec/schema.ts";
import { classifyStatus, classifyTransport, type Failure } from "./failure.ts";
import { fetchWithDeadline } from "./ollama.ts";
import type { ProviderError } from "./openai-shape.ts";

export { retryAfterMs };

const Envelope = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable() }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
  usage: z
    .object({
      prompt_tokens: z.number().int().nonnegative(),
      completion_tokens: z.number().int().nonnegative(),
    })
    .nullish(),
});

const ErrorBody = z.object({
  error: z.object({
    message: z.string().optional(),
    code: z.string().nullish(),
    type: z.string().nullish(),
    param: z.string().nullish(),
  }),
});

/** What one paid request came to; the caller decides what it costs. */
export type PaidResult =
  | {
      kind: "reply";
      content: string;
      /** null: the provider reported no usage, so the call is charged in full. */
      usage: { tokensIn: number; tokensOut: number } | null;
      finishReason: string | null;
    }
  /** The provider answered with an HTTP error; `error` is its body's error object, when it had one. */
  | { kind: "http_error"; status: number; failure: Failure; error: ProviderError | null }
  /** No readable answer. `sent` is false only when the connection was refused (nothing left). */
  | { kind: "no_reply"; sent: boolean; failure: Failure };

/** Removes the key, and anything shaped like one, from text that came back from a provider. */
export function redactSecrets(text: string, key: string): string {
  const out = key.length >= 4 ? text.split(key).join("[redacted]") : text;
  return out
    .replace(/\b(sk|pk|rk)-[A-Za-z0-9_*.-]{4,}/g, "$1-[redacted]")
    .replace(/Bearer\s+\S+/gi, "Bearer [redacted]");
}

/**
 * `<base_url>/<path>` with base_url's query kept after the path: an Azure-style
 * `https://x/openai/deployments/d?api-version=2024-06-01` becomes
 * `https://x/openai/deployments/d/chat/completions?api-version=2024-06-01`, not a path glued after the query.
 */
export function endpointUrl(base: string, path: string): string {
  const u = new URL(base);
  u.pathname = `${u.pathname.replace(/\/+$/, "")}/${path}`;
  return u.href;
}

/**
 * One request to `<base_url>/chat/completions` with plain fetch: no SDK, so no hidden
 * retries; every attempt is afk's own and accounted by the caller.
 */
export async function openAiChat(
  link: OpenAiLinkSpec,
  body: Record<string, unknown>,
  opts: { fetch: typeof fetch; apiKey: string; signal: AbortSignal; now: () => Date },
): Promise<PaidResult> {
  const url = endpointUrl(link.base_url, "chat/completions");
  const f = fetchWithDeadline(opts.fetch, link.timeout_s * 1000, opts.signal);
  const clean = (s: string) => redactSecrets(s, opts.apiKey).slice(0, 300);
  let res: Response;
  try {
    res = await f(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${opts.apiKey}` },
      body: JSON.stringify(body),
    });
  } catch (err) {
    const failure = classifyTransport(err, opts.signal, clean(describeError(err)));
    const refused = (err as { code?: string } | null)?.code === "ECONNREFUSED";
    return { kind: "no_reply", sent: !refused, failure };
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    const failure = classifyTransport(err, opts.signal, clean(describeError(err)));
    return { kind: "no_reply", sent: true, failure };
  }
  if (!res.ok) {
    const body = parseJson(text);
    const e = ErrorBody.safeParse(body);
    const message = clean(e.success ? (e.data.error.message ?? res.statusText) : text || res.statusText);
    const providerCode = e.success ? (e.data.error.code ?? e.data.error.type ?? null) : null;
    const failure = classifyStatus(res.status, message, providerCode, retryAfterMs(res.headers, opts.now()));
    const error = e.success
      ? { message, param: e.data.error.param ?? null, code: e.data.error.code ?? null }
      : null;
    return { kind: "http_error", status: res.status, failure, error };
  }
  const env = Envelope.safeParse(parseJson(text));
  if (!env.success) {
    const reason = `unreadable reply (${text.length} bytes): ${clean(text.slice(0, 80))}`;
    return { kind: "no_reply", sent: true, failure: { code: "bad_reply", reason } };
  }
  const choice = env.data.choices[0];
  const usage = env.data.usage;
  return {
    kind: "reply",
    content: choice?.message.content ?? "",
    usage: usage ? { tokensIn: usage.prompt_tokens, tokensOut: usage.completion_tokens } : null,
    finishReason: choice?.finish_reason ?? null,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
