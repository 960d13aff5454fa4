import type { ChatMessage } from "../models/prompt.ts";

/** The three request shapes the proxy answers, each in its own API's dialect. */
export type ProxyApi = "openai" | "ollama_chat" | "ollama_generate";

/** A chat request as the proxy forwards it, whatever API it came in through. */
export interface ProxyRequest {
  api: ProxyApi;
  /** The model the job asked for. */
  model: string;
  messages: ChatMessage[];
  /** The most output tokens the job asked for (OpenAI `max_completion_tokens`/`max_tokens`, Ollama `num_predict`). */
  maxTokens: number | null;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`: the stream's last chunk carries the usage. */
  includeUsage: boolean;
  temperature: number | null;
  /** JSON output asked for: Ollama `format` ("json" or a schema), OpenAI `response_format`. */
  json: "none" | "object" | { schema: Record<string, unknown> };
  /**
   * An Ollama `/api/generate` request's own prompt and system: an Ollama link is sent a generate
   * (as asked); a paid link, which has no such API, the two as chat `messages`.
   */
  generate: { prompt: string; system: string | null } | null;
}

/** What an upstream model returned, in no API's dialect. */
export interface ProxyReply {
  content: string;
  tokensIn: number | null;
  tokensOut: number | null;
  finishReason: string | null;
}

export type Parsed = { ok: true; req: ProxyRequest } | { ok: false; message: string };

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** OpenAI content is a string or a list of parts; the proxy forwards the text parts. */
function textOf(content: unknown): string | null {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  if (Array.isArray(content))
    return content
      .map((p) => (isObj(p) && p.type === "text" && typeof p.text === "string" ? p.text : ""))
      .join("");
  return null;
}

function messagesOf(v: unknown): ChatMessage[] | string {
  if (!Array.isArray(v) || v.length === 0) return "messages must be a non-empty array";
  const out: ChatMessage[] = [];
  for (const [i, m] of v.entries()) {
    if (!isObj(m) || typeof m.role !== "string") return `messages[${i}] must be an object with a role`;
    const content = textOf(m.content);
    if (content === null) return `messages[${i}].content must be a string or a list of text parts`;
    const role = m.role === "system" || m.role === "assistant" ? m.role : "user";
    out.push({ role, content });
  }
  return out;
}

/**
 * Reads a request body in `api`'s dialect. Only text chat is forwarded: tools, images and
 * other parameters are not (the README says so).
 */
export function parseRequest(api: ProxyApi, body: unknown): Parsed {
  if (!isObj(body)) return { ok: false, message: "missing request body" };
  const model = typeof body.model === "string" ? body.model : "";
  if (model === "") return { ok: false, message: "model is required" };
  let messages: ChatMessage[] | string;
  let generate: ProxyRequest["generate"] = null;
  if (api === "ollama_generate") {
    if (typeof body.prompt !== "string" || body.prompt === "")
      return { ok: false, message: "prompt must be a non-empty string (afk's proxy loads no model)" };
    const system = typeof body.system === "string" && body.system ? body.system : null;
    generate = { prompt: body.prompt, system };
    messages = [
      ...(system ? [{ role: "system" as const, content: system }] : []),
      { role: "user", content: body.prompt },
    ];
  } else messages = messagesOf(body.messages);
  if (typeof messages === "string") return { ok: false, message: messages };
  const options = isObj(body.options) ? body.options : {};
  if (api === "openai") {
    const rf = isObj(body.response_format) ? body.response_format : null;
    const schema =
      rf?.type === "json_schema" && isObj(rf.json_schema) && isObj(rf.json_schema.schema)
        ? rf.json_schema.schema
        : null;
    return {
      ok: true,
      req: {
        api,
        model,
        messages,
        maxTokens: num(body.max_completion_tokens) ?? num(body.max_tokens),
        // OpenAI streams only when asked.
        stream: body.stream === true,
        includeUsage: isObj(body.stream_options) && body.stream_options.include_usage === true,
        temperature: num(body.temperature),
        json: schema ? { schema } : rf?.type === "json_object" ? "object" : "none",
        generate: null,
      },
    };
  }
  return {
    ok: true,
    req: {
      api,
      model,
      messages,
      maxTokens: num(options.num_predict),
      // Ollama streams unless told not to (MODEL-APIS.md).
      stream: body.stream !== false,
      includeUsage: false,
      temperature: num(options.temperature),
      json: isObj(body.format) ? { schema: body.format } : body.format === "json" ? "object" : "none",
      generate,
    },
  };
}

/** A refusal or failure in the dialect the job's client reads. */
export function errorResponse(api: ProxyApi, status: number, message: string, code: string | null): Response {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (api === "openai") {
    // The official SDKs retry 429 and 5xx unless told not to; a refusal is final.
    headers["x-should-retry"] = "false";
    const type =
      code === "insufficient_quota"
        ? "insufficient_quota"
        : status >= 500
          ? "server_error"
          : "invalid_request_error";
    return new Response(JSON.stringify({ error: { message, type, param: null, code } }), { status, headers });
  }
  return new Response(JSON.stringify({ error: message }), { status, headers });
}

/** Tokens as a job's client reads them: OpenAI `usage`, Ollama's counts (omitted when unknown). */
function ollamaCounts(r: ProxyReply): Record<string, number> {
  return {
    ...(r.tokensIn !== null ? { prompt_eval_count: r.tokensIn } : {}),
    ...(r.tokensOut !== null ? { eval_count: r.tokensOut } : {}),
  };
}

/** A whole (non-streaming) reply in the job's dialect. */
export function replyResponse(req: ProxyRequest, r: ProxyReply, now: Date): Response {
  const created = now.toISOString();
  const done = r.finishReason === "length" ? "length" : "stop";
  switch (req.api) {
    case "openai":
      return Response.json({
        id: `chatcmpl-afk${now.getTime().toString(36)}`,
        object: "chat.completion",
        created: Math.floor(now.getTime() / 1000),
        model: req.model,
        choices: [{ index: 0, message: { role: "assistant", content: r.content }, finish_reason: done }],
        ...(r.tokensIn !== null && r.tokensOut !== null
          ? {
              usage: {
                prompt_tokens: r.tokensIn,
                completion_tokens: r.tokensOut,
                total_tokens: r.tokensIn + r.tokensOut,
              },
            }
          : {}),
      });
    case "ollama_chat":
      return Response.json({
        model: req.model,
        created_at: created,
        message: { role: "assistant", content: r.content },
        done: true,
        done_reason: done,
        ...ollamaCounts(r),
      });
    case "ollama_generate":
      return Response.json({
        model: req.model,
        created_at: created,
        response: r.content,
        done: true,
        done_reason: done,
        ...ollamaCounts(r),
      });
    default: {
      const never: never = req.api;
      return never;
    }
  }
}
