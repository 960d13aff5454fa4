import type { Database } from "bun:sqlite";
import { type ChatRequest, type GenerateRequest, Ollama } from "ollama";
import type { Deps } from "../core/deps.ts";
import { formatUsd } from "../core/money.ts";
import {
  inputTokenBound,
  type Prices,
  pricesOf,
  reservationMicros,
  reserve,
  settle,
} from "../models/budget.ts";
import type { CallOutcome } from "../models/call-outcome.ts";
import { costOf, localCallRecorder, shadowPrices } from "../models/calls.ts";
import { NUM_CTX_FLOOR, NUM_CTX_STEP } from "../models/context.ts";
import type { Failure } from "../models/failure.ts";
import { classifyOllamaError, fetchWithDeadline, ollamaHost } from "../models/ollama.ts";
import { billOf } from "../models/openai.ts";
import { openAiChat, type PaidResult } from "../models/openai-http.ts";
import type { ShapeMemory } from "../models/openai-shape.ts";
import { estimateTokens } from "../models/prompt.ts";
import type { LoadedSpec } from "../spec/load.ts";
import type { OllamaLinkSpec, OpenAiLinkSpec } from "../spec/schema.ts";
import type { Span } from "../trace/tracer.ts";
import type { ProxyReply, ProxyRequest } from "./wire.ts";

/** What the proxy forwards with: the tick's ledger, cap and trace. */
export interface ProxyContext {
  loaded: LoadedSpec;
  db: Database;
  deps: Deps;
  tickId: string;
  day: string;
  capMicros: number;
  /** Aborted when the tick stops: calls in flight are cut (and charged in full if sent). */
  signal: AbortSignal;
  /** The paid links' learned request shapes (max_completion_tokens or max_tokens). */
  shapes: ShapeMemory;
}

export type Forwarded = { ok: true; reply: ProxyReply } | { ok: false; failure: Failure };

/** The bytes a JSON schema adds to the prompt (a provider may bill it as input). */
function schemaBound(req: ProxyRequest): number {
  return typeof req.json === "object" ? Buffer.byteLength(JSON.stringify(req.json.schema), "utf8") : 0;
}

/** A paid request whose worst case is booked: what it may send and how it is settled. */
export interface Booked {
  callId: number;
  prices: Prices;
  apiKey: string;
  /** The max tokens sent: the request's, capped by the link's `max_output_tokens`. */
  maxOut: number;
  /** The call's `model.call` span. */
  call: Span;
  /** The request body for the link (in its learned tokens parameter). */
  body: Record<string, unknown>;
}

/**
 * Books one request to a paid link: its worst case (the prompt's token bound plus the
 * request's max tokens, capped by the link's `max_output_tokens`) is reserved against the
 * day's cap in the ledger's transaction; a request that does not fit is refused, never sent.
 */
export function bookPaid(
  link: OpenAiLinkSpec,
  req: ProxyRequest,
  ctx: ProxyContext,
  span: Span,
  attempt: number,
): { ok: true; booked: Booked } | { ok: false; failure: Failure } {
  const prices = pricesOf(link);
  if (!prices)
    return refused(span, link, {
      code: "no_price",
      reason: "the spec gives no price for this model; a paid call with no price is never made",
    });
  const apiKey = ctx.deps.env[link.api_key_env];
  if (!apiKey) return refused(span, link, { code: "no_key", reason: `${link.api_key_env} is not set` });
  const maxOut = Math.min(req.maxTokens ?? link.max_output_tokens, link.max_output_tokens);
  const promptBound = inputTokenBound(req.messages) + schemaBound(req);
  const maxPrompt = ctx.loaded.spec.job?.max_prompt_tokens;
  if (maxPrompt !== undefined && promptBound > maxPrompt)
    return refused(span, link, {
      code: "over_budget",
      reason: `the prompt's bound ${promptBound} tokens passes job.max_prompt_tokens (${maxPrompt}), the pre-flight's worst case`,
    });
  const reservedMicros = reservationMicros(prices, promptBound, maxOut);
  const r = reserve(ctx.db, {
    tickId: ctx.tickId,
    day: ctx.day,
    linkId: link.id,
    model: link.model,
    attempt,
    reservedMicros,
    capMicros: ctx.capMicros,
    startedAt: ctx.deps.clock.now().toISOString(),
  });
  if (!r.ok) {
    const reason = `worst case ${formatUsd(reservedMicros)} does not fit: ${formatUsd(r.spentBefore)} of the ${ctx.day} cap ${formatUsd(ctx.capMicros)} already spent or reserved`;
    span.event("budget.refused", {
      link: link.id,
      model: link.model,
      reserved_micros: reservedMicros,
      spent_micros: r.spentBefore,
      cap_micros: ctx.capMicros,
      reason,
    });
    return { ok: false, failure: { code: "over_budget", reason } };
  }
  const call = span.child("model.call", {
    link: link.id,
    kind: "openai",
    model: link.model,
    attempt,
    reserved_micros: reservedMicros,
    max_tokens: maxOut,
    stream: req.stream,
  });
  const body = paidBody(link, req, ctx, maxOut);
  return { ok: true, booked: { callId: r.callId, prices, apiKey, maxOut, call, body } };
}

/** The request body for a paid link: its max tokens in the parameter the link was learned to take. */
function paidBody(
  link: OpenAiLinkSpec,
  req: ProxyRequest,
  ctx: ProxyContext,
  maxOut: number,
): Record<string, unknown> {
  const format =
    typeof req.json === "object"
      ? { type: "json_schema", json_schema: { name: "job", schema: req.json.schema } }
      : req.json === "object"
        ? { type: "json_object" }
        : undefined;
  return {
    model: link.model,
    messages: req.messages,
    [ctx.shapes.get(link).tokens]: maxOut,
    ...(req.temperature !== null ? { temperature: req.temperature } : {}),
    ...(format ? { response_format: format } : {}),
    stream: req.stream,
    // Usage comes on a stream's last chunk only when asked for.
    ...(req.stream ? { stream_options: { include_usage: true } } : {}),
  };
}

/** Settles a booked call from what came back (models/openai.ts `billOf`) and ends its span. */
export function settleBooked(ctx: ProxyContext, b: Booked, result: PaidResult): void {
  const bill = billOf(result, b.prices, ctx.deps.clock.now().toISOString());
  const cost = settle(ctx.db, b.callId, bill);
  b.call.set({
    state: bill.state,
    cost_micros: cost,
    tokens_in: bill.tokensIn,
    tokens_out: bill.tokensOut,
    outcome: bill.outcome,
  });
  if (result.kind === "reply") b.call.end("ok");
  else b.call.end("error", new Error(`${result.failure.code}: ${result.failure.reason}`));
}

/**
 * One whole (non-streaming) request to a paid link, booked first; settled on the reply's
 * usage, and charged the full reservation when usage is missing, the body is cut or a 5xx.
 */
export async function forwardPaid(
  link: OpenAiLinkSpec,
  req: ProxyRequest,
  ctx: ProxyContext,
  span: Span,
  attempt: number,
): Promise<Forwarded> {
  const b = bookPaid(link, req, ctx, span, attempt);
  if (!b.ok) return b;
  const result = await openAiChat(link, b.booked.body, {
    fetch: ctx.deps.fetch,
    apiKey: b.booked.apiKey,
    signal: ctx.signal,
    now: () => ctx.deps.clock.now(),
  });
  settleBooked(ctx, b.booked, result);
  if (result.kind !== "reply") return { ok: false, failure: result.failure };
  return {
    ok: true,
    reply: {
      content: result.content,
      tokensIn: result.usage?.tokensIn ?? null,
      tokensOut: result.usage?.tokensOut ?? null,
      finishReason: result.finishReason,
    },
  };
}

function refused(span: Span, link: OpenAiLinkSpec, f: Failure): { ok: false; failure: Failure } {
  span.event("model.refused", { link: link.id, model: link.model, code: f.code, reason: f.reason });
  return { ok: false, failure: f };
}

/**
 * The context an Ollama request runs in: the job's prompt bound plus its output bound, in
 * steps, so the server never silently cuts the prompt's front (models/README.md).
 */
export function proxyNumCtx(link: OllamaLinkSpec, req: ProxyRequest, numPredict: number | null): number {
  if (link.num_ctx !== undefined) return link.num_ctx;
  const need = inputTokenBound(req.messages) + schemaBound(req) + (numPredict ?? NUM_CTX_FLOOR);
  return Math.max(NUM_CTX_FLOOR, Math.ceil(need / NUM_CTX_STEP) * NUM_CTX_STEP);
}

/**
 * Records how one request to a local Ollama link ended: a free `calls` row with its tokens and
 * shadow cost (estimated from the text when the server gave no counts), set on its span.
 */
export function ollamaRecorder(
  link: OllamaLinkSpec,
  req: ProxyRequest,
  ctx: ProxyContext,
  call: Span,
  attempt: number,
): (outcome: CallOutcome, tokensIn: number | null, tokensOut: number | null, content: string | null) => void {
  const record = localCallRecorder(
    { db: ctx.db, tickId: ctx.tickId, day: ctx.day, clock: ctx.deps.clock, span: call },
    link,
    attempt,
  );
  return (outcome, tokensIn, tokensOut, content) =>
    record(
      outcome,
      tokensIn,
      tokensOut,
      content === null
        ? 0
        : costOf(
            shadowPrices(ctx.loaded.spec),
            tokensIn ?? estimateTokens(req.messages.map((m) => m.content).join("")),
            tokensOut ?? estimateTokens(content),
          ),
    );
}

/** Where a request goes on an Ollama server: a generate stays a generate, anything else is a chat. */
export function ollamaPath(req: ProxyRequest): "/api/generate" | "/api/chat" {
  return req.generate ? "/api/generate" : "/api/chat";
}

/**
 * The body for a local link — `/api/chat` with the job's messages, or `/api/generate` with its
 * prompt and system — sized so the prompt is never cut.
 */
export function ollamaBody(link: OllamaLinkSpec, req: ProxyRequest): Record<string, unknown> {
  const numPredict = req.maxTokens ?? link.num_predict ?? null;
  return {
    model: link.model,
    ...(req.generate
      ? { prompt: req.generate.prompt, ...(req.generate.system ? { system: req.generate.system } : {}) }
      : { messages: req.messages }),
    stream: req.stream,
    ...(typeof req.json === "object"
      ? { format: req.json.schema }
      : req.json === "object"
        ? { format: "json" }
        : {}),
    options: {
      num_ctx: proxyNumCtx(link, req, numPredict),
      ...(numPredict !== null ? { num_predict: numPredict } : {}),
      ...(req.temperature !== null ? { temperature: req.temperature } : {}),
    },
  };
}

/**
 * One whole (non-streaming) request to a local Ollama link — a chat, or a generate when the job
 * asked for one — free, recorded with its tokens (`prompt_eval_count`, `eval_count`) and shadow cost.
 */
export async function forwardOllama(
  link: OllamaLinkSpec,
  req: ProxyRequest,
  ctx: ProxyContext,
  span: Span,
  attempt: number,
): Promise<Forwarded> {
  const body = ollamaBody(link, req);
  const call = span.child("model.call", {
    link: link.id,
    kind: "ollama",
    model: link.model,
    attempt,
    stream: false,
  });
  const record = ollamaRecorder(link, req, ctx, call, attempt);
  const client = new Ollama({
    host: ollamaHost(ctx.deps.env),
    fetch: fetchWithDeadline(ctx.deps.fetch, link.timeout_s * 1000, ctx.signal),
  });
  try {
    const res = req.generate
      ? await client.generate({ ...(body as unknown as GenerateRequest), stream: false })
      : await client.chat({ ...(body as unknown as ChatRequest), stream: false });
    const count = (n: unknown) => (typeof n === "number" && Number.isFinite(n) ? n : null);
    const text = "message" in res ? res.message?.content : res.response;
    const content = typeof text === "string" ? text : "";
    const reply: ProxyReply = {
      content,
      tokensIn: count(res.prompt_eval_count),
      tokensOut: count(res.eval_count),
      finishReason: res.done_reason ?? null,
    };
    record("ok", reply.tokensIn, reply.tokensOut, content);
    call.end("ok");
    return { ok: true, reply };
  } catch (err) {
    const f = classifyOllamaError(err, ctx.signal);
    record(f.code, null, null, null);
    call.end("error", new Error(`${f.code}: ${f.reason}`));
    return { ok: false, failure: f };
  }
}
