import { Ollama } from "ollama";
import { describeError } from "../core/errors.ts";
import type { OllamaLinkSpec } from "../spec/schema.ts";
import type { Span } from "../trace/tracer.ts";
import { draftJsonSchema } from "./draft.ts";
import type { ChatMessage } from "./prompt.ts";

export const DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434";

export interface OllamaReply {
  content: string;
  /** null = the server did not say (cached prompt), not zero. */
  tokensIn: number | null;
  tokensOut: number | null;
  doneReason: string | null;
}

export type OllamaFailure = {
  code: "not_found" | "http_4xx" | "http_5xx" | "timeout" | "network" | "aborted";
  reason: string;
  transient: boolean;
};

/** A fetch that gives every request its own deadline and the tick's abort signal. */
export function fetchWithDeadline(base: typeof fetch, ms: number, signal: AbortSignal): typeof fetch {
  const f = (input: RequestInfo | URL, init?: RequestInit) =>
    base(input, {
      ...init,
      signal: AbortSignal.any([signal, AbortSignal.timeout(ms), ...(init?.signal ? [init.signal] : [])]),
    });
  return Object.assign(f, { preconnect: base.preconnect }) as typeof fetch;
}

/** One non-streaming chat call through the real ollama client. Throws on failure; see `classifyOllamaError`. */
export async function ollamaChat(
  link: OllamaLinkSpec,
  messages: ChatMessage[],
  opts: { host: string; fetch: typeof fetch; signal: AbortSignal },
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
    options: { temperature: 0.2 },
    keep_alive: "10m",
  });
  return {
    content: res.message.content,
    tokensIn: typeof res.prompt_eval_count === "number" ? res.prompt_eval_count : null,
    tokensOut: typeof res.eval_count === "number" ? res.eval_count : null,
    doneReason: res.done_reason ?? null,
  };
}

/** Sorts an Ollama failure: which ones are worth a retry, which hand straight over to the next link. */
export function classifyOllamaError(err: unknown, signal: AbortSignal): OllamaFailure {
  const reason = describeError(err);
  if (signal.aborted) return { code: "aborted", reason, transient: false };
  const e = err as { name?: string; status_code?: number };
  if (e?.name === "ResponseError" && typeof e.status_code === "number") {
    if (e.status_code === 404) return { code: "not_found", reason, transient: false };
    if (e.status_code >= 500)
      return { code: "http_5xx", reason: `${e.status_code}: ${reason}`, transient: true };
    return { code: "http_4xx", reason: `${e.status_code}: ${reason}`, transient: false };
  }
  if (e?.name === "TimeoutError" || /timed? ?out/i.test(reason))
    return { code: "timeout", reason, transient: true };
  return { code: "network", reason, transient: true };
}

export function traceOllamaCall(span: Span, link: OllamaLinkSpec, attempt: number): Span {
  return span.child("model.call", { link: link.id, kind: "ollama", model: link.model, attempt });
}
