/**
 * A test double for an OpenAI-compatible paid provider: a real HTTP server on loopback.
 *
 * Contract
 * - `POST …/chat/completions` under any base path (`/v1`, `/openai/v1`, `/api/v1`, …).
 *   Any other route: 404 `Invalid URL (METHOD /path)`.
 * - `Authorization: Bearer <key>` is checked against the valid keys (revocable at runtime):
 *   missing → 401 (code null), wrong or revoked → 401 `invalid_api_key`. The log keeps no key:
 *   the header is replaced by `<redacted>` and `auth` says whether it matched.
 * - Then: unparsable body → 400; no `model` → 400; a model outside `models` (when given) → 404
 *   `model_not_found`. Otherwise the model's behavior (`OpenAiBehavior`) answers, looked up as in
 *   the Ollama double: queued ones first (each used once), then the set one, then `"*"`, else a reply.
 * - Replies are `chat.completion` objects with `usage` (tokens = ceil(chars / 4), overridable).
 *   `max_completion_tokens` / `max_tokens` caps completion tokens: the text is cut to fit and
 *   `finish_reason` is `"length"`. Reply text comes from content functions exactly as in
 *   ollama-double.ts (`defaultContent`, `echoDraftFromPrompt`).
 * - Request shape, by dialect (`dialect` option, `setDialect`), each refusal a 400 in the real
 *   error shape: `current` (gpt-4o-mini today) takes `max_tokens` or `max_completion_tokens` and
 *   any response format; `new_model` (gpt-5, o-series) refuses `max_tokens` (`unsupported_parameter`)
 *   and a `temperature` other than 1 (`unsupported_value`); `old_server` (an older
 *   OpenAI-compatible server, Azure's older API versions) refuses `max_completion_tokens`
 *   (`Unrecognized request argument supplied`, no param) and a `json_schema` response format
 *   (`Invalid parameter: 'response_format' of type 'json_schema' …`, no param); `lenient` (a
 *   server that ignores what it does not know) takes anything but caps output by `max_tokens`
 *   only, so `max_completion_tokens` bounds nothing there. In every dialect a
 *   strict `json_schema` must be in the strict subset (every object closed, every property
 *   required, no string lengths) and `json_object` needs the word "json" in the messages.
 * - `stream: true` → server-sent events; with `stream_options.include_usage` every chunk has
 *   `usage: null` and one last chunk (`choices: []`) carries the usage, before `data: [DONE]`.
 * - `stall_stream` sends the first half of a stream's chunks and then nothing (still generating)
 *   until the client goes away (the request is recorded `aborted`) or the double stops.
 */
import {
  type BehaviorTable,
  type ChunkPlan,
  type Content,
  capTokens,
  chatCompletion,
  completionEvents,
  completionHead,
  contentFor,
  createBehaviorTable,
  createHolds,
  createRequestLog,
  defaultContent,
  firstHalf,
  type Holds,
  isObject,
  type JsonObject,
  jsonResponse,
  openAiError,
  promptTokens,
  type RecordedRequest,
  type RequestLog,
  readRequest,
  splitIntoPieces,
  streamResponse,
  unreachable,
  usageOf,
} from "./ollama-double.ts";

export type OpenAiBehavior =
  /** A normal answer with usage; the token counts can be forced (completion still capped by max tokens). */
  | { kind: "reply"; content?: Content; promptTokens?: number; completionTokens?: number }
  /**
   * A normal answer whose `usage` bills `completionTokens` even beyond the request's max tokens:
   * a provider that counts (and charges) more than the caller allowed.
   */
  | { kind: "overbill"; content?: Content; completionTokens: number }
  /** A 200 answer without `usage` (streaming: no usage chunk even when asked for). */
  | { kind: "usage_missing"; content?: Content }
  /** Streaming: some chunks, then the stream ends (no finish, no usage, no `[DONE]`). Non-streaming: truncated JSON. */
  | { kind: "cut_stream"; content?: Content }
  /** 429 `rate_limit_exceeded` with `Retry-After` (seconds, default 1; null: no header). */
  | { kind: "rate_limit"; retryAfterSeconds?: number | null }
  /** 429 `insufficient_quota`. */
  | { kind: "insufficient_quota" }
  /** A server error (default 500). */
  | { kind: "error"; status?: number; message?: string }
  /** Held until `until` settles (resolved or rejected), then `after` (default: a reply). */
  | { kind: "gated"; until: PromiseLike<unknown>; after?: OpenAiBehavior }
  /** Never answers, until the client aborts or the double stops. */
  | { kind: "hang" }
  /** Streaming: the first half of the chunks, then nothing more until the client goes away. Non-streaming: as hang. */
  | { kind: "stall_stream"; content?: Content };

export type AuthResult = "valid" | "invalid" | "missing";

/** Which request shapes the server takes (see the contract above). */
export const OPENAI_DIALECTS = ["current", "new_model", "old_server", "lenient"] as const;
export type OpenAiDialect = (typeof OPENAI_DIALECTS)[number];

export interface OpenAiRecordedRequest extends RecordedRequest {
  /** Whether the Authorization header held a valid key; the header itself is redacted. */
  auth: AuthResult;
}

/** The key a double accepts when none are given. */
export const OPENAI_DOUBLE_KEY = "sk-test-double-0000";

export interface OpenAiDoubleOptions {
  /** Valid API keys. Default: `[OPENAI_DOUBLE_KEY]`. */
  keys?: string[];
  /** Known models; when given, other models get 404. Default: any model. */
  models?: string[];
  /** The text of replies whose behavior names none. Default: `defaultContent`. */
  content?: Content;
  now?: () => Date;
  /** Default `current`. */
  dialect?: OpenAiDialect;
}

export interface OpenAiDouble {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `url + "/v1"`, the usual SDK `baseURL`. */
  readonly baseUrl: string;
  readonly port: number;
  /** Every request received, in order, keys redacted. */
  readonly requests: OpenAiRecordedRequest[];
  addKey(key: string): void;
  setDialect(dialect: OpenAiDialect): void;
  revokeKey(key: string): void;
  setBehavior(model: string, behavior: OpenAiBehavior | undefined): void;
  queueBehaviors(model: string, ...behaviors: OpenAiBehavior[]): void;
  waitForRequests(count: number): Promise<OpenAiRecordedRequest[]>;
  /** Requests held right now (gated, hang). */
  pendingCount(): number;
  /** Resolves when no request is held. */
  idle(): Promise<void>;
  /** Closes every connection, ends held requests, and stops listening. */
  stop(): Promise<void>;
}

interface Env {
  keys: Set<string>;
  models: Set<string> | undefined;
  behaviors: BehaviorTable<OpenAiBehavior>;
  holds: Holds;
  log: RequestLog<OpenAiRecordedRequest>;
  content: Content;
  now: () => Date;
  dialect: OpenAiDialect;
}

/** Starts an OpenAI-compatible double on 127.0.0.1 (a free port). */
export async function startOpenAiDouble(opts: OpenAiDoubleOptions = {}): Promise<OpenAiDouble> {
  const env: Env = {
    keys: new Set(opts.keys ?? [OPENAI_DOUBLE_KEY]),
    models: opts.models ? new Set(opts.models) : undefined,
    behaviors: createBehaviorTable<OpenAiBehavior>(),
    holds: createHolds(),
    log: createRequestLog<OpenAiRecordedRequest>(),
    content: opts.content ?? defaultContent,
    now: opts.now ?? (() => new Date()),
    dialect: opts.dialect ?? "current",
  };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    fetch: (req) => route(env, req),
  });
  const port = server.port ?? 0;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    port,
    requests: env.log.entries,
    addKey: (key) => env.keys.add(key),
    setDialect: (dialect) => {
      env.dialect = dialect;
    },
    revokeKey: (key) => env.keys.delete(key),
    setBehavior: (model, behavior) => env.behaviors.set(model, behavior),
    queueBehaviors: (model, ...behaviors) => env.behaviors.queue(model, ...behaviors),
    waitForRequests: (count) => env.log.waitFor(count),
    pendingCount: () => env.holds.count(),
    idle: () => env.holds.idle(),
    stop: async () => {
      env.holds.releaseAll();
      await server.stop(true);
    },
  };
}

async function route(env: Env, req: Request): Promise<Response> {
  const auth = checkAuth(req.headers.get("authorization"), env.keys);
  const read = await readRequestRedacted(req, env.now);
  const rec: OpenAiRecordedRequest = { ...read, auth };
  env.log.add(rec);
  let res: Response | null;
  try {
    res = await dispatch(env, req, rec);
  } catch (err) {
    res = openAiError(
      500,
      `openai double: ${err instanceof Error ? err.message : String(err)}`,
      "server_error",
      null,
    );
  }
  if (res === null) return new Response(null, { status: 499 });
  rec.status = res.status;
  return res;
}

async function readRequestRedacted(req: Request, now: () => Date): Promise<RecordedRequest> {
  const rec = await readRequest(req, now);
  if (rec.headers.authorization !== undefined) rec.headers.authorization = "<redacted>";
  return rec;
}

function checkAuth(header: string | null, keys: Set<string>): AuthResult {
  const key = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  if (key === undefined || key === "") return "missing";
  return keys.has(key) ? "valid" : "invalid";
}

const NO_KEY_MESSAGE =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";

async function dispatch(env: Env, req: Request, rec: OpenAiRecordedRequest): Promise<Response | null> {
  if (req.method !== "POST" || !rec.path.endsWith("/chat/completions")) {
    return openAiError(404, `Invalid URL (${req.method} ${rec.path})`, "invalid_request_error", null);
  }
  if (rec.auth === "missing") return openAiError(401, NO_KEY_MESSAGE, "invalid_request_error", null);
  if (rec.auth === "invalid")
    return openAiError(401, "Incorrect API key provided", "invalid_request_error", "invalid_api_key");
  if (!isObject(rec.body)) {
    return openAiError(
      400,
      "We could not parse the JSON body of your request.",
      "invalid_request_error",
      null,
    );
  }
  const body = rec.body;
  const model = typeof body.model === "string" ? body.model : "";
  if (model === "")
    return openAiError(400, "you must provide a model parameter", "invalid_request_error", null);
  if (env.models && !env.models.has(model)) {
    const message = `The model \`${model}\` does not exist or you do not have access to it.`;
    return openAiError(404, message, "invalid_request_error", "model_not_found");
  }
  const refused = refuseShape(env.dialect, body);
  if (refused) return refused;
  return perform(env, { req, rec, body, model }, env.behaviors.next(model) ?? { kind: "reply" });
}

/** A 400 `invalid_request_error` naming (or not) the parameter, as OpenAI-style servers send it. */
function badRequest(message: string, param: string | null, code: string | null): Response {
  return jsonResponse(400, { error: { message, type: "invalid_request_error", param, code } });
}

/** The dialect's refusal of the request's shape, or null when it takes it. */
function refuseShape(dialect: OpenAiDialect, body: JsonObject): Response | null {
  const format = isObject(body.response_format) ? body.response_format : undefined;
  if (dialect === "new_model") {
    if (body.max_tokens !== undefined)
      return badRequest(
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        "max_tokens",
        "unsupported_parameter",
      );
    if (body.temperature !== undefined && body.temperature !== 1)
      return badRequest(
        `Unsupported value: 'temperature' does not support ${String(body.temperature)} with this model. Only the default (1) value is supported.`,
        "temperature",
        "unsupported_value",
      );
  }
  if (dialect === "old_server") {
    if (body.max_completion_tokens !== undefined)
      return badRequest("Unrecognized request argument supplied: max_completion_tokens", null, null);
    if (format?.type === "json_schema")
      return badRequest(
        "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model. Learn more about supported models at the Structured Outputs guide: https://platform.openai.com/docs/guides/structured-outputs",
        null,
        null,
      );
  }
  if (
    format?.type === "json_object" &&
    !JSON.stringify(body.messages ?? "")
      .toLowerCase()
      .includes("json")
  )
    return badRequest(
      "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
      "messages",
      null,
    );
  if (format?.type === "json_schema" && dialect !== "lenient") {
    const problem = strictSchemaProblem(format.json_schema);
    if (problem) return badRequest(problem, "response_format", null);
  }
  return null;
}

const STRICT_KEYWORDS = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "enum",
  "const",
  "anyOf",
  "description",
  "title",
  "minItems",
  "maxItems",
  "pattern",
  "format",
  "minimum",
  "maximum",
  "$defs",
  "$ref",
]);

/** Why a `json_schema` response format is refused, as OpenAI words it; null when it is fine. */
export function strictSchemaProblem(spec: unknown): string | null {
  if (!isObject(spec)) return "Missing required parameter: 'response_format.json_schema'.";
  const name = typeof spec.name === "string" ? spec.name : "";
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name))
    return `Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`;
  if (spec.strict !== true) return null;
  const walk = (node: unknown, where: string[]): string | null => {
    if (!isObject(node)) return null;
    const context = `In context=(${where.map((w) => `'${w}'`).join(", ")})`;
    for (const key of Object.keys(node))
      if (!STRICT_KEYWORDS.has(key)) return `${context}, '${key}' is not permitted.`;
    if (node.type === "object") {
      if (node.additionalProperties !== false)
        return `${context}, 'additionalProperties' is required to be supplied and to be false.`;
      const props = isObject(node.properties) ? Object.keys(node.properties) : [];
      const required = Array.isArray(node.required) ? node.required : [];
      const missing = props.find((p) => !required.includes(p));
      if (missing)
        return `${context}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`;
      for (const p of props) {
        const problem = walk((node.properties as JsonObject)[p], [...where, "properties", p]);
        if (problem) return problem;
      }
    }
    return node.items === undefined ? null : walk(node.items, [...where, "items"]);
  };
  const problem = walk(spec.schema, []);
  return problem ? `Invalid schema for response_format '${name}': ${problem}` : null;
}

interface Ctx {
  req: Request;
  rec: OpenAiRecordedRequest;
  body: JsonObject;
  model: string;
}

async function perform(env: Env, ctx: Ctx, b: OpenAiBehavior): Promise<Response | null> {
  const text = (content: Content | undefined) => contentFor(content ?? env.content, ctx.body);
  switch (b.kind) {
    case "reply":
      return reply(env, ctx, text(b.content), {
        withUsage: true,
        prompt: b.promptTokens,
        completion: b.completionTokens,
      });
    case "overbill":
      return reply(env, ctx, text(b.content), {
        withUsage: true,
        completion: b.completionTokens,
        beyondMax: true,
      });
    case "usage_missing":
      return reply(env, ctx, text(b.content), { withUsage: false });
    case "cut_stream":
      return cutReply(env, ctx, text(b.content));
    case "rate_limit":
      return rateLimited(ctx.model, b.retryAfterSeconds === undefined ? 1 : b.retryAfterSeconds);
    case "insufficient_quota":
      return openAiError(429, QUOTA_MESSAGE, "insufficient_quota", "insufficient_quota");
    case "error":
      return openAiError(b.status ?? 500, b.message ?? SERVER_ERROR_MESSAGE, "server_error", null);
    case "gated":
      if (!(await env.holds.hold(ctx.req.signal, b.until, ctx.rec))) return null;
      return perform(env, ctx, b.after ?? { kind: "reply" });
    case "hang":
      await env.holds.hold(ctx.req.signal, "forever", ctx.rec);
      return null;
    case "stall_stream":
      if (ctx.body.stream !== true) return perform(env, ctx, { kind: "hang" });
      return stalledReply(env, ctx, text(b.content));
    default:
      return unreachable(b);
  }
}

const QUOTA_MESSAGE =
  "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.";
const SERVER_ERROR_MESSAGE = "The server had an error while processing your request. Sorry about that!";

function rateLimited(model: string, retryAfterSeconds: number | null): Response {
  const wait = retryAfterSeconds === null ? "" : ` Please try again in ${retryAfterSeconds}s.`;
  const message = `Rate limit reached for ${model} in organization org-double on requests per min (RPM): Limit 3, Used 3, Requested 1.${wait}`;
  const headers: Record<string, string> =
    retryAfterSeconds === null
      ? {}
      : {
          "retry-after": String(Math.ceil(retryAfterSeconds)),
          "retry-after-ms": String(Math.round(retryAfterSeconds * 1000)),
        };
  return openAiError(429, message, "requests", "rate_limit_exceeded", headers);
}

function maxTokensOf(body: JsonObject, dialect: OpenAiDialect): number | undefined {
  const max = dialect === "lenient" ? body.max_tokens : (body.max_completion_tokens ?? body.max_tokens);
  return typeof max === "number" ? max : undefined;
}

function includeUsage(body: JsonObject): boolean {
  return isObject(body.stream_options) && body.stream_options.include_usage === true;
}

interface UsagePlan {
  withUsage: boolean;
  prompt?: number | undefined;
  completion?: number | undefined;
  /** Report `completion` as given, past the request's max tokens (overbill). */
  beyondMax?: boolean;
}

function reply(env: Env, ctx: Ctx, text: string, plan: UsagePlan): Response {
  const max = maxTokensOf(ctx.body, env.dialect);
  const capped = capTokens(text, max);
  const completion = Math.min(
    plan.completion ?? capped.tokens,
    max !== undefined && max > 0 && !plan.beyondMax ? max : Number.POSITIVE_INFINITY,
  );
  const usage = plan.withUsage ? usageOf(plan.prompt ?? promptTokens(ctx.body), completion) : undefined;
  const finishReason = capped.cut ? "length" : "stop";
  const head = completionHead(ctx.model, env.now());
  if (ctx.body.stream !== true)
    return jsonResponse(200, chatCompletion(head, capped.content, finishReason, usage));
  const chunks: ChunkPlan = {
    pieces: splitIntoPieces(capped.content),
    finishReason,
    includeUsage: includeUsage(ctx.body),
    usage,
    end: "done",
  };
  return streamResponse("text/event-stream", completionEvents(head, chunks));
}

/** A stream that starts and then stalls mid-generation, held until the client goes away or the double stops. */
function stalledReply(env: Env, ctx: Ctx, text: string): Response {
  const head = completionHead(ctx.model, env.now());
  const events = completionEvents(head, {
    pieces: firstHalf(splitIntoPieces(text)),
    finishReason: "stop",
    includeUsage: includeUsage(ctx.body),
    usage: undefined,
    end: "cut",
  });
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const e of events) controller.enqueue(enc.encode(e));
      void env.holds.hold(ctx.req.signal, "forever", ctx.rec).then(() => {
        try {
          controller.close();
        } catch {
          // The client cancelled the body already.
        }
      });
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
}

function cutReply(env: Env, ctx: Ctx, text: string): Response {
  const head = completionHead(ctx.model, env.now());
  if (ctx.body.stream !== true) {
    const whole = JSON.stringify(chatCompletion(head, text, "stop", usageOf(promptTokens(ctx.body), 0)));
    return new Response(whole.slice(0, Math.floor(whole.length / 2)), {
      headers: { "content-type": "application/json" },
    });
  }
  const chunks: ChunkPlan = {
    pieces: firstHalf(splitIntoPieces(text)),
    finishReason: "stop",
    includeUsage: includeUsage(ctx.body),
    usage: undefined,
    end: "cut",
  };
  return streamResponse("text/event-stream", completionEvents(head, chunks));
}
