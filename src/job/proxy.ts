import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Failure } from "../models/failure.ts";
import type { Span } from "../trace/tracer.ts";
import { forward, linksFor, type Senders, statusOf, wholeSenders } from "./route.ts";
import { openOllamaStream, openPaidStream, type StreamEnd } from "./stream-upstream.ts";
import { streamResponse } from "./stream-wire.ts";
import type { ProxyContext } from "./upstream.ts";
import { errorResponse, type ProxyApi, parseRequest, replyResponse } from "./wire.ts";

/** The proxy as the job sees it: where to send requests, and the token that opens it. */
export interface JobProxy {
  /** `http://127.0.0.1:PORT/v1`, the job's OPENAI_BASE_URL (OPENAI_API_KEY = `token`). */
  openaiBaseUrl: string;
  /** `http://127.0.0.1:PORT/t/TOKEN`, the job's OLLAMA_HOST (Ollama clients send no key: the token is in the path). */
  ollamaHost: string;
  token: string;
  /** Stops answering at once: connections in flight are closed, calls in flight aborted. */
  stop(): Promise<void>;
}

/** A server version Ollama clients accept (the API the proxy speaks). */
const OLLAMA_VERSION = "0.12.6";

const ROUTES: Record<string, ProxyApi> = {
  "POST /v1/chat/completions": "openai",
  "POST /api/chat": "ollama_chat",
  "POST /api/generate": "ollama_generate",
};

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Starts the tick's model proxy on 127.0.0.1 (a free port): OpenAI's `/v1/chat/completions`
 * and `/v1/models`, Ollama's `/api/chat`, `/api/generate`, `/api/tags` and `/api/version`.
 * Every request must carry the tick's token (OpenAI: `Authorization: Bearer`; Ollama: the
 * `/t/TOKEN` path prefix); each chat request is forwarded along the spec's chain under the
 * cap (route.ts), one `proxy.request` span under `span` each.
 */
export function startProxy(ctx: ProxyContext, span: Span): JobProxy {
  const token = randomBytes(24).toString("hex");
  const inflight = new AbortController();
  const pctx: ProxyContext = { ...ctx, signal: AbortSignal.any([ctx.signal, inflight.signal]) };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    fetch: (req) => handle(req, pctx, span, token),
  });
  const base = `http://127.0.0.1:${server.port}`;
  return {
    openaiBaseUrl: `${base}/v1`,
    ollamaHost: `${base}/t/${token}`,
    token,
    async stop() {
      inflight.abort(new Error("the tick's proxy stopped"));
      await server.stop(true);
    },
  };
}

async function handle(req: Request, ctx: ProxyContext, span: Span, token: string): Promise<Response> {
  const url = new URL(req.url);
  let path = url.pathname;
  let authed = false;
  if (path.startsWith("/t/")) {
    const rest = path.slice(3);
    const given = rest.split("/")[0] ?? "";
    authed = sameToken(given, token);
    path = path.slice(3 + given.length) || "/";
  } else {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
    authed = bearer !== undefined && sameToken(bearer, token);
  }
  const openai = path.startsWith("/v1/");
  if (!authed)
    return openai
      ? errorResponse(
          "openai",
          401,
          "Incorrect API key provided: this proxy takes the tick's OPENAI_API_KEY.",
          "invalid_api_key",
        )
      : errorResponse("ollama_chat", 401, "unauthorized: use the OLLAMA_HOST afk gave this job", null);
  const key = `${req.method} ${path}`;
  const models = ctx.loaded.spec.models.filter((l) => l.kind !== "extractive");
  switch (key) {
    case "GET /":
    case "HEAD /":
      return new Response("Ollama is running", { headers: { "content-type": "text/plain; charset=utf-8" } });
    case "GET /api/version":
      return Response.json({ version: OLLAMA_VERSION });
    case "GET /api/tags":
      return Response.json({
        models: models.map((l) => ({
          name: l.model,
          model: l.model,
          modified_at: ctx.loaded.spec.name,
          size: 0,
          digest: "",
          details: {},
        })),
      });
    case "GET /v1/models":
      return Response.json({
        object: "list",
        data: models.map((l) => ({ id: l.model, object: "model", created: 0, owned_by: l.id })),
      });
  }
  const api = ROUTES[key];
  if (!api)
    return openai
      ? errorResponse("openai", 404, `Invalid URL (${req.method} ${path})`, null)
      : new Response("404 page not found", { status: 404, headers: { "content-type": "text/plain" } });
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
  const refuse = (f: Failure) => {
    s.set({ code: f.code, reason: f.reason }).end("refused");
    const { status, code } = statusOf(f);
    return errorResponse(api, status, `${f.code}: ${f.reason}`, code);
  };
  if (r.stream) {
    const cancel = new AbortController();
    const out = await forward(r, ctx, s, streamSenders(cancel.signal));
    if (!out.ok) return refuse(out.failure);
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
  const out = await forward(r, ctx, s, wholeSenders);
  if (!out.ok) return refuse(out.failure);
  s.set({ tokens_in: out.reply.tokensIn, tokens_out: out.reply.tokensOut }).end("ok");
  return replyResponse(r, out.reply, ctx.deps.clock.now());
}

/** Streams are opened on each kind of link with the request's own cancel signal. */
function streamSenders(cancel: AbortSignal): Senders<{ chunks: AsyncGenerator<string, StreamEnd> }> {
  return {
    openai: (link, req, ctx, span) => openPaidStream(link, req, ctx, span, cancel),
    ollama: (link, req, ctx, span) => openOllamaStream(link, req, ctx, span, cancel),
  };
}
