import { describeError } from "../core/errors.ts";
import { classifyStatus, classifyTransport, type Failure } from "../models/failure.ts";
import { fetchWithDeadline, ollamaHost } from "../models/ollama.ts";
import type { PaidResult } from "../models/openai-http.ts";
import { retryAfterMs } from "../models/openai-http.ts";
import type { OllamaLinkSpec, OpenAiLinkSpec } from "../spec/schema.ts";
import type { Span } from "../trace/tracer.ts";
import { bookPaid, ollamaBody, ollamaRecorder, type ProxyContext, settleBooked } from "./upstream.ts";
import type { ProxyRequest } from "./wire.ts";

/** How an upstream stream ended. `complete`: its final chunk came (usage, done). */
export interface StreamEnd {
  complete: boolean;
  tokensIn: number | null;
  tokensOut: number | null;
  finishReason: string | null;
  /** Why it ended early (cut, an error line, the tick stopped). */
  error: string | null;
}

/** An opened stream: text pieces as they come, then how it ended (the call is settled by then). */
export type StreamOpen =
  | { ok: true; chunks: AsyncGenerator<string, StreamEnd> }
  | { ok: false; failure: Failure };

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The lines of a body as they arrive. */
async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        yield buf.slice(0, i).replace(/\r$/, "");
        buf = buf.slice(i + 1);
      }
    }
    if (buf.trim()) yield buf;
  } finally {
    reader.releaseLock();
  }
}

/** An HTTP error before any output, classified as the non-streaming calls are. */
async function httpFailure(res: Response, now: Date): Promise<Failure> {
  const text = await res.text().catch(() => "");
  const body = parse(text);
  const e = isObj(body) ? body.error : undefined;
  const message =
    isObj(e) && typeof e.message === "string"
      ? e.message
      : typeof e === "string"
        ? e
        : text || res.statusText;
  const code =
    isObj(e) && typeof e.code === "string" ? e.code : isObj(e) && typeof e.type === "string" ? e.type : null;
  return classifyStatus(res.status, message.slice(0, 300), code, retryAfterMs(res.headers, now));
}

type Opened =
  | { ok: true; res: Response & { body: ReadableStream<Uint8Array> } }
  | { ok: false; failure: Failure; sent: boolean; status?: number };

async function open(
  url: string,
  init: RequestInit,
  fetcher: typeof fetch,
  tickSignal: AbortSignal,
  now: () => Date,
): Promise<Opened> {
  let res: Response;
  try {
    res = await fetcher(url, init);
  } catch (err) {
    const refused = (err as { code?: string } | null)?.code === "ECONNREFUSED";
    return { ok: false, failure: classifyTransport(err, tickSignal, describeError(err)), sent: !refused };
  }
  if (!res.ok || !res.body)
    return { ok: false, failure: await httpFailure(res, now()), sent: true, status: res.status };
  return { ok: true, res: res as Response & { body: ReadableStream<Uint8Array> } };
}

/**
 * A streamed request to a paid link: booked (worst case reserved) first, sent with
 * `stream_options.include_usage`, and settled when the stream ends — on the last chunk's usage,
 * or in full when the usage never comes (a cut stream, a client gone, the tick stopped).
 */
export async function openPaidStream(
  link: OpenAiLinkSpec,
  req: ProxyRequest,
  ctx: ProxyContext,
  span: Span,
  cancel: AbortSignal,
): Promise<StreamOpen> {
  const b = bookPaid(link, req, ctx, span, 1);
  if (!b.ok) return b;
  const booked = b.booked;
  const signal = AbortSignal.any([ctx.signal, cancel]);
  const opened = await open(
    `${link.base_url.replace(/\/+$/, "")}/chat/completions`,
    {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${booked.apiKey}` },
      body: JSON.stringify(booked.body),
    },
    fetchWithDeadline(ctx.deps.fetch, link.timeout_s * 1000, signal),
    ctx.signal,
    () => ctx.deps.clock.now(),
  );
  if (!opened.ok) {
    settleBooked(
      ctx,
      booked,
      opened.status !== undefined
        ? { kind: "http_error", status: opened.status, failure: opened.failure, error: null }
        : { kind: "no_reply", sent: opened.sent, failure: opened.failure },
    );
    return { ok: false, failure: opened.failure };
  }
  async function* chunks(): AsyncGenerator<string, StreamEnd> {
    let content = "";
    let usage: { tokensIn: number; tokensOut: number } | null = null;
    let finish: string | null = null;
    let done = false;
    let error: string | null = null;
    try {
      for await (const line of lines(opened.ok ? opened.res.body : new ReadableStream())) {
        if (!line.startsWith("data:")) continue;
        const data = line.slice(5).trim();
        if (data === "[DONE]") {
          done = true;
          break;
        }
        const obj = parse(data);
        if (!isObj(obj)) continue;
        if (isObj(obj.error)) {
          error = String(obj.error.message ?? "error in stream");
          break;
        }
        const choice = Array.isArray(obj.choices) && isObj(obj.choices[0]) ? obj.choices[0] : null;
        const delta = choice && isObj(choice.delta) ? choice.delta : null;
        if (typeof choice?.finish_reason === "string") finish = choice.finish_reason;
        const u = obj.usage;
        if (isObj(u) && typeof u.prompt_tokens === "number" && typeof u.completion_tokens === "number")
          usage = { tokensIn: u.prompt_tokens, tokensOut: u.completion_tokens };
        if (typeof delta?.content === "string" && delta.content) {
          content += delta.content;
          yield delta.content;
        }
      }
      if (!done && !error) error = "the stream ended before [DONE]";
    } catch (err) {
      error = describeError(err);
    } finally {
      // Reached on every ending, also when the job's client went away mid-stream.
      error ??= done ? null : "the stream was cut";
      const result: PaidResult =
        done && !error
          ? { kind: "reply", content, usage, finishReason: finish }
          : {
              kind: "no_reply",
              sent: true,
              failure: { code: ctx.signal.aborted ? "aborted" : "bad_reply", reason: error ?? "cut" },
            };
      settleBooked(ctx, booked, result);
    }
    return {
      complete: done && !error,
      tokensIn: usage?.tokensIn ?? null,
      tokensOut: usage?.tokensOut ?? null,
      finishReason: finish,
      error,
    };
  }
  return { ok: true, chunks: chunks() };
}

/** A streamed request to a local Ollama link: NDJSON in, recorded free (with its counts) when it ends. */
export async function openOllamaStream(
  link: OllamaLinkSpec,
  req: ProxyRequest,
  ctx: ProxyContext,
  span: Span,
  cancel: AbortSignal,
): Promise<StreamOpen> {
  const call = span.child("model.call", {
    link: link.id,
    kind: "ollama",
    model: link.model,
    attempt: 1,
    stream: true,
  });
  const record = ollamaRecorder(link, req, ctx, call, 1);
  const signal = AbortSignal.any([ctx.signal, cancel]);
  const opened = await open(
    `${ollamaHost(ctx.deps.env).replace(/\/+$/, "")}/api/chat`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ollamaBody(link, req)),
    },
    fetchWithDeadline(ctx.deps.fetch, link.timeout_s * 1000, signal),
    ctx.signal,
    () => ctx.deps.clock.now(),
  );
  if (!opened.ok) {
    record(opened.failure.code, null, null, null);
    call.end("error", new Error(`${opened.failure.code}: ${opened.failure.reason}`));
    return { ok: false, failure: opened.failure };
  }
  async function* chunks(): AsyncGenerator<string, StreamEnd> {
    let content = "";
    const end: StreamEnd = {
      complete: false,
      tokensIn: null,
      tokensOut: null,
      finishReason: null,
      error: null,
    };
    try {
      for await (const line of lines(opened.ok ? opened.res.body : new ReadableStream())) {
        const obj = parse(line);
        if (!isObj(obj)) continue;
        if (typeof obj.error === "string") {
          end.error = obj.error;
          break;
        }
        const text = isObj(obj.message) && typeof obj.message.content === "string" ? obj.message.content : "";
        if (text) {
          content += text;
          yield text;
        }
        if (obj.done === true) {
          end.complete = true;
          end.tokensIn = typeof obj.prompt_eval_count === "number" ? obj.prompt_eval_count : null;
          end.tokensOut = typeof obj.eval_count === "number" ? obj.eval_count : null;
          end.finishReason = typeof obj.done_reason === "string" ? obj.done_reason : null;
          break;
        }
      }
      if (!end.complete && !end.error) end.error = "Did not receive done or success response in stream.";
    } catch (err) {
      end.error = describeError(err);
    } finally {
      if (!end.complete) end.error ??= "the stream was cut";
      record(
        end.complete ? "ok" : ctx.signal.aborted ? "aborted" : "bad_reply",
        end.tokensIn,
        end.tokensOut,
        content,
      );
      if (end.complete) call.end("ok");
      else call.end("error", new Error(end.error ?? "cut"));
    }
    return end;
  }
  return { ok: true, chunks: chunks() };
}
