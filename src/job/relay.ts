import type { Failure } from "../models/failure.ts";
import type { Span } from "../trace/tracer.ts";
import { forward, linksFor, type Senders, statusOf, wholeSenders } from "./route.ts";
import { firstPiece, openOllamaStream, openPaidStream, type StreamEnd } from "./stream-upstream.ts";
import { streamResponse } from "./stream-wire.ts";
import type { ProxyContext } from "./upstream.ts";
import { errorResponse, type ProxyApi, type ProxyRequest, parseRequest, replyResponse } from "./wire.ts";

/**
 * One chat request of the job: its body read as `api` asks, its model checked against the
 * spec's links, then forwarded along the chain under the cap (route.ts) as a `proxy.request`
 * span under `span` — whole, or as a stream settled from its last chunk.
 */
export async function relay(req: Request, api: ProxyApi, ctx: ProxyContext, span: Span): Promise<Response> {
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    body = undefined;
  }
  const parsed = parseRequest(api, body);
  if (!parsed.ok) return errorResponse(api, 400, parsed.message, null);
  const r = parsed.req;
  if (linksFor(ctx.loaded.spec.models, r.model).length === 0)
    return errorResponse(
      api,
      404,
      `model "${r.model}" not found: the spec has no model link`,
      "model_not_found",
    );
  if (ctx.signal.aborted) return errorResponse(api, 503, "the tick has stopped", null);
  const s = span.child("proxy.request", {
    api,
    model: r.model,
    stream: r.stream,
    messages: r.messages.length,
    max_tokens: r.maxTokens,
  });
  return r.stream ? relayStream(r, ctx, s) : relayWhole(r, ctx, s);
}

/** A refusal in the job's own dialect (OpenAI: 429 `insufficient_quota` for the cap; Ollama: an `error`). */
function refuse(r: ProxyRequest, s: Span, f: Failure): Response {
  s.set({ code: f.code, reason: f.reason }).end("refused");
  const { status, code } = statusOf(f);
  return errorResponse(r.api, status, `${f.code}: ${f.reason}`, code);
}

async function relayWhole(r: ProxyRequest, ctx: ProxyContext, s: Span): Promise<Response> {
  const out = await forward(r, ctx, s, wholeSenders);
  if (!out.ok) return refuse(r, s, out.failure);
  s.set({ tokens_in: out.reply.tokensIn, tokens_out: out.reply.tokensOut }).end("ok");
  return replyResponse(r, out.reply, ctx.deps.clock.now());
}

async function relayStream(r: ProxyRequest, ctx: ProxyContext, s: Span): Promise<Response> {
  const cancel = new AbortController();
  const out = await forward(r, ctx, s, streamSenders(cancel.signal));
  if (!out.ok) return refuse(r, s, out.failure);
  return streamResponse(r, out.chunks, () => ctx.deps.clock.now(), {
    end: (e) =>
      s
        .set({ tokens_in: e.tokensIn, tokens_out: e.tokensOut, complete: e.complete })
        .end(e.complete ? "ok" : "cut"),
    cancel: () => {
      s.set({ complete: false }).end("cancelled");
      cancel.abort(new Error("the job closed the stream"));
    },
  });
}

/**
 * Streams are opened on each kind of link with the request's own cancel signal, and handed to
 * the job only once their first piece came: one that fails before it moves down the chain.
 */
function streamSenders(cancel: AbortSignal): Senders<{ chunks: AsyncGenerator<string, StreamEnd> }> {
  return {
    openai: async (link, req, ctx, span) => firstPiece(await openPaidStream(link, req, ctx, span, cancel)),
    ollama: async (link, req, ctx, span) => firstPiece(await openOllamaStream(link, req, ctx, span, cancel)),
  };
}
