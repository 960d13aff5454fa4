import { describeError } from "../core/errors.ts";
import { classifyStatus, classifyTransport, type Failure } from "../models/failure.ts";
import { fetchWithDeadline, ollamaHost } from "../models/ollama.ts";
import type { PaidResult } from "../models/openai-http.ts";
import { retryAfterMs } from "../models/openai-http.ts";
import type { OllamaLinkSpec, OpenAiLinkSpec } from "../spec/schema.ts";
import type { Span } from "../trace/tracer.ts";
import { isObj, lines, parse, readNdjsonLine, readSseLine, type Usage } from "./stream-read.ts";
import {
  type Booked,
  bookPaid,
  ollamaBody,
  ollamaPath,
  ollamaRecorder,
  type ProxyContext,
  settleBooked,
} from "./upstream.ts";
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

const CUT: StreamEnd = {
  complete: false,
  tokensIn: null,
  tokensOut: null,
  finishReason: null,
  error: "the job went away",
};

/**
 * Waits for an opened stream's first piece of text. A stream that ends before it (an Ollama
 * error line, an OpenAI error event, a cut) failed before its first byte could reach the job, so
 * it is a failure like a whole request's and the chain moves on (its call is settled already:
 * a paid one charged in full, as its usage never came). After the first piece the job holds the
 * stream, and a failure can only end it cut.
 */
export async function firstPiece(opened: StreamOpen): Promise<StreamOpen> {
  if (!opened.ok) return opened;
  const rest = opened.chunks;
  const first = await rest.next();
  if (first.done && !first.value.complete)
    return {
      ok: false,
      failure: {
        code: "bad_reply",
        reason: `the stream broke before its first byte: ${first.value.error ?? "cut"}`,
      },
    };
  async function* chunks(): AsyncGenerator<string, StreamEnd> {
    try {
      if (first.done) return first.value;
      yield first.value;
      return yield* rest;
    } finally {
      // A job gone after the first piece: the upstream's own ending settles the call.
      await rest.return(CUT);
    }
  }
  return { ok: true, chunks: chunks() };
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
  return { ok: true, chunks: paidChunks(opened.res.body, ctx, booked) };
}

/**
 * A streamed request to a local Ollama link (`/api/chat`, or `/api/generate` when the job asked
 * for one): NDJSON in, recorded free (with its counts) when it ends.
 */
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
    `${ollamaHost(ctx.deps.env).replace(/\/+$/, "")}${ollamaPath(req)}`,
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
  return { ok: true, chunks: ollamaChunks(opened.res.body, ctx, record, call) };
}

/**
 * A paid stream's text pieces as they come; when it ends (also when the job's client goes away
 * mid-stream) the booked call is settled: on the last chunk's usage after `[DONE]`, else in full.
 */
async function* paidChunks(
  body: ReadableStream<Uint8Array>,
  ctx: ProxyContext,
  booked: Booked,
): AsyncGenerator<string, StreamEnd> {
  let content = "";
  let usage: Usage | null = null;
  let finish: string | null = null;
  let done = false;
  let error: string | null = null;
  try {
    for await (const line of lines(body)) {
      const ev = readSseLine(line);
      if (ev.kind === "done") {
        done = true;
        break;
      }
      if (ev.kind === "error") {
        error = ev.message;
        break;
      }
      if (ev.kind === "skip") continue;
      finish = ev.finish ?? finish;
      usage = ev.usage ?? usage;
      if (ev.content) {
        content += ev.content;
        yield ev.content;
      }
    }
    if (!done && !error) error = "the stream ended before [DONE]";
  } catch (err) {
    error = describeError(err);
  } finally {
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
  const complete = done && !error;
  return {
    complete,
    tokensIn: usage?.tokensIn ?? null,
    tokensOut: usage?.tokensOut ?? null,
    finishReason: finish,
    error,
  };
}

/** A local stream's text pieces as they come; when it ends the call is recorded (free, with its counts) and its span ended. */
async function* ollamaChunks(
  body: ReadableStream<Uint8Array>,
  ctx: ProxyContext,
  record: ReturnType<typeof ollamaRecorder>,
  call: Span,
): AsyncGenerator<string, StreamEnd> {
  let content = "";
  const end: StreamEnd = {
    complete: false,
    tokensIn: null,
    tokensOut: null,
    finishReason: null,
    error: null,
  };
  try {
    for await (const line of lines(body)) {
      const ev = readNdjsonLine(line);
      if (ev.kind === "skip") continue;
      if (ev.kind === "error") {
        end.error = ev.message;
        break;
      }
      if (ev.content) {
        content += ev.content;
        yield ev.content;
      }
      if (ev.done) {
        Object.assign(end, ev.done, { complete: true });
        break;
      }
    }
    if (!end.complete && !end.error) end.error = "Did not receive done or success response in stream.";
  } catch (err) {
    end.error = describeError(err);
  } finally {
    if (!end.complete) end.error ??= "the stream was cut";
    const outcome = end.complete ? "ok" : ctx.signal.aborted ? "aborted" : "bad_reply";
    record(outcome, end.tokensIn, end.tokensOut, content);
    if (end.complete) call.end("ok");
    else call.end("error", new Error(end.error ?? "cut"));
  }
  return end;
}
