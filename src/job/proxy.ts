import { randomBytes } from "node:crypto";
import type { Span } from "../trace/tracer.ts";
import { gate } from "./gate.ts";
import { infoResponse } from "./info.ts";
import { relay } from "./relay.ts";
import type { ProxyContext } from "./upstream.ts";
import { errorResponse, type ProxyApi } from "./wire.ts";

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

const ROUTES: Record<string, ProxyApi> = {
  "POST /v1/chat/completions": "openai",
  "POST /api/chat": "ollama_chat",
  "POST /api/generate": "ollama_generate",
};

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
  const g = gate(req, token);
  if (!g.ok) return g.res;
  const route = `${req.method} ${g.path}`;
  const info = infoResponse(route, ctx.loaded.spec);
  if (info) return info;
  const api = ROUTES[route];
  if (api) return relay(req, api, ctx, span);
  return g.path.startsWith("/v1/")
    ? errorResponse("openai", 404, `Invalid URL (${route})`, null)
    : new Response("404 page not found", { status: 404, headers: { "content-type": "text/plain" } });
}
