import { Ollama } from "ollama";
import { describeError } from "../core/errors.ts";
import type { OllamaLinkSpec } from "../spec/schema.ts";
import type { OllamaSizing } from "./context.ts";
import { draftJsonSchema } from "./draft.ts";
import { classifyStatus, classifyTransport, type Failure } from "./failure.ts";
import type { ChatMessage } from "./prompt.ts";

export const DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434";

export interface OllamaReply {
  content: string;
  /** null = the server did not say (cached prompt), not zero. */
  tokensIn: number | null;
  tokensOut: number | null;
  doneReason: string | null;
}

/**
 * A fetch that gives every request its own deadline and the tick's abort signal. The
 * deadline covers the body too, and a model that is still loading (no headers yet).
 */
export function fetchWithDeadline(base: typeof fetch, ms: number, signal: AbortSignal): typeof fetch {
  const f = (input: RequestInfo | URL, init?: RequestInit) =>
    base(input, {
      ...init,
      signal: AbortSignal.any([signal, AbortSignal.timeout(ms), ...(init?.signal ? [init.signal] : [])]),
    });
  return Object.assign(f, { preconnect: base.preconnect }) as typeof fetch;
}

/** The Ollama server afk talks to: OLLAMA_HOST (the npm client does not read it), else the default. */
export function ollamaHost(env: Readonly<Record<string, string | undefined>>): string {
  return env.OLLAMA_HOST?.trim() || DEFAULT_OLLAMA_HOST;
}

/**
 * One non-streaming chat call through the real ollama client, with the draft's JSON schema
 * as `format` and the context and output sized for this prompt (`ollamaSizing`): without
 * `num_ctx` the server uses its default (2,048 tokens on older ones) and silently drops the
 * prompt's front. Throws on failure; see `classifyOllamaError`.
 */
export async function ollamaChat(
  link: OllamaLinkSpec,
  messages: ChatMessage[],
  opts: { host: string; fetch: typeof fetch; signal: AbortSignal; sizing: OllamaSizing },
): Promise<OllamaReply> {
  const client = new Ollama({
    host: opts.host,
    fetch: fetchWithDeadline(opts.fetch, link.timeout_s * 1000, opts.signal),
  });
  const res = await client.chat({
    model: link.model,
    messages,
    stream: false,
    format: draftJsonSchema as Record<string, unknown>,
    options: { temperature: 0.2, num_ctx: opts.sizing.numCtx, num_predict: opts.sizing.numPredict },
    keep_alive: "10m",
  });
  const count = (n: unknown) => (typeof n === "number" && Number.isFinite(n) ? n : null);
  return {
    content: typeof res.message?.content === "string" ? res.message.content : "",
    tokensIn: count(res.prompt_eval_count),
    tokensOut: count(res.eval_count),
    doneReason: res.done_reason ?? null,
  };
}

/**
 * Sorts an Ollama failure. The client throws a `ResponseError` (not exported: matched by
 * name) with `status_code` for HTTP errors; anything else is the transport or a cut body.
 */
export function classifyOllamaError(err: unknown, signal: AbortSignal): Failure {
  const reason = describeError(err);
  if (signal.aborted) return { code: "aborted", reason };
  const e = err as { name?: string; status_code?: number } | null;
  if (e?.name === "ResponseError" && typeof e.status_code === "number")
    return classifyStatus(e.status_code, reason);
  return classifyTransport(err, signal, reason);
}
