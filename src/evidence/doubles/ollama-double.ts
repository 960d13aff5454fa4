/**
 * A test double for an Ollama server: a real HTTP server on loopback that answers the way
 * the real one does (facts in /work/shared/MODEL-APIS.md), so tests drive it with the real
 * `ollama` npm client over real HTTP.
 *
 * Contract
 * - Routes: `GET|HEAD /`, `GET /api/version`, `GET /api/tags`, `POST /api/chat`, `POST /api/generate`,
 *   and a minimal OpenAI-compatible `POST /v1/chat/completions`. Anything else: 404 `404 page not found`.
 * - `/api/generate` takes `prompt` (and `system`) where chat takes `messages`: the model (the content
 *   function, the tokens, the context window) sees them as a system and a user message. It answers
 *   as the server does: `response` for `message`, the done chunk with the metrics and `context` (the
 *   conversation's token ids); an empty or missing `prompt` loads the model (`done_reason: "load"`).
 * - A model that is not pulled gets 404 whatever its behavior. A pulled model answers by its
 *   behavior (`OllamaBehavior`), looked up per request: the model's queued behaviors (each used
 *   once), then its set behavior, then the same two for `"*"`, else `{ kind: "reply" }`.
 *   Names without a tag mean `:latest`, as on the real server.
 * - A reply's text comes from a content function called with the parsed request body. The default
 *   (`defaultContent`) answers valid JSON when `format` (or OpenAI `response_format`) is set:
 *   `echoDraftFromPrompt(body)` when the last user message holds a fenced json block, `{}`
 *   otherwise; and plain text when it is not set.
 * - `echoDraftFromPrompt(body)` finds the LAST fenced json block in the LAST user message,
 *   reads it as `{ items: [{ link, title, summary }] }` and returns the JSON text
 *   `{"title":"Digest: <first item's title>","entries":[{"link":<link>,"summary":<first sentence of
 *   its summary, or its title when empty>}]}`, one entry per item in order. It throws when there
 *   is no such block; a content function that throws makes the double answer 500.
 * - Tokens are ceil(chars / 4): prompt = every message's content, eval = the reply text.
 *   `options.num_predict` (OpenAI: `max_tokens`) caps eval tokens: the text is cut to fit and
 *   `done_reason` is `"length"`. Metrics that come out zero are omitted, as the server does.
 * - The context window (Ollama's own API): a request runs in `options.num_ctx`, else the server's
 *   default (`defaultNumCtx`, 2,048 as on older servers). A prompt longer than that is cut from the
 *   FRONT, silently, as the real runner does: the system prompt goes first, then the start of the
 *   user message. The model (the content function) sees only what is left, `prompt_eval_count`
 *   counts only that, and the request's `context` records the window, what was cut, whether
 *   the system prompt survived, and whether the reply overflowed it (a context shift).
 * - Timers live only in the double: `cold_load` holds the reply (no headers) for `ms`, `hang`
 *   never answers. Both end early when the client aborts or `stop()` is called; the request is
 *   then recorded with `aborted: true`.
 */
import { createHash } from "node:crypto";

export type JsonObject = Record<string, unknown>;
/** Builds a reply's text from the parsed request body. */
export type ContentFn = (body: JsonObject) => string;
export type Content = string | ContentFn;

export interface RecordedRequest {
  method: string;
  path: string;
  /** The parsed JSON body; undefined when the body was empty or not JSON. */
  body: unknown;
  rawBody: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  at: Date;
  /** The status the double answered with; unset while pending or when aborted. */
  status?: number;
  /** The client went away (or the double stopped) before the double answered. */
  aborted?: boolean;
  /** Ollama chat requests: the context window the prompt ran in. */
  context?: ContextWindow;
}

/** The context an Ollama chat request ran in, and what the server cut to fit it. */
export interface ContextWindow {
  /** `options.num_ctx`, else the server's default. */
  numCtx: number;
  /** Whether the request set `options.num_ctx`. */
  requested: boolean;
  /** `options.num_predict`, when set. */
  numPredict: number | undefined;
  /** Prompt tokens before any cut (chars / 4). */
  promptTokens: number;
  /** Tokens cut from the front of the prompt to fit (0: it fit). */
  droppedTokens: number;
  /** Whether every system message reached the model whole. */
  systemKept: boolean;
  /**
   * Whether the prompt plus the reply outgrew the window, so the server shifted the context
   * mid-reply (dropping the front again). Set once the reply is made.
   */
  shifted?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Plumbing shared with openai-double.ts
// ---------------------------------------------------------------------------------------------

export interface RequestLog<R extends RecordedRequest = RecordedRequest> {
  readonly entries: R[];
  add(entry: R): void;
  /** Resolves once at least `count` requests have been received (bodies read). */
  waitFor(count: number): Promise<R[]>;
}

/** The list of requests a double received, with a way to await the n-th one. */
export function createRequestLog<R extends RecordedRequest = RecordedRequest>(): RequestLog<R> {
  const entries: R[] = [];
  let waiters: { count: number; resolve: (entries: R[]) => void }[] = [];
  return {
    entries,
    add(entry) {
      entries.push(entry);
      const ready = waiters.filter((w) => entries.length >= w.count);
      waiters = waiters.filter((w) => entries.length < w.count);
      for (const w of ready) w.resolve(entries);
    },
    waitFor(count) {
      if (entries.length >= count) return Promise.resolve(entries);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };
}

/** What a held reply waits for: milliseconds, a promise, or nothing ever. */
export type HoldUntil = number | PromiseLike<unknown> | "forever";

export interface Holds {
  /**
   * Waits until `until`, then resolves true; resolves false (and marks `rec.aborted`) as soon
   * as the client aborts or `releaseAll` is called.
   */
  hold(signal: AbortSignal, until: HoldUntil, rec: RecordedRequest): Promise<boolean>;
  releaseAll(): void;
  count(): number;
  /** Resolves when nothing is held. */
  idle(): Promise<void>;
}

/** Tracks held requests so that aborts cancel them and `stop()` can end them all. */
export function createHolds(): Holds {
  const open = new Set<() => void>();
  let idleWaiters: (() => void)[] = [];
  const notifyIdle = () => {
    if (open.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };
  const hold = (signal: AbortSignal, until: HoldUntil, rec: RecordedRequest) =>
    new Promise<boolean>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (proceed: boolean) => {
        if (!open.delete(cancel)) return;
        clearTimeout(timer);
        signal.removeEventListener("abort", cancel);
        if (!proceed) rec.aborted = true;
        resolve(proceed);
        notifyIdle();
      };
      const cancel = () => finish(false);
      open.add(cancel);
      if (signal.aborted) return cancel();
      signal.addEventListener("abort", cancel, { once: true });
      if (typeof until === "number") timer = setTimeout(() => finish(true), until);
      else if (until !== "forever")
        until.then(
          () => finish(true),
          () => finish(true),
        );
    });
  return {
    hold,
    releaseAll: () => {
      for (const cancel of [...open]) cancel();
    },
    count: () => open.size,
    idle: () => (open.size === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))),
  };
}

export interface BehaviorTable<B> {
  /** The behavior for every later request to `model` (undefined clears it). `"*"`: any model. */
  set(model: string, behavior: B | undefined): void;
  /** Behaviors used once each, in order, before the set one. */
  queue(model: string, ...behaviors: B[]): void;
  next(model: string): B | undefined;
}

/** Per-model behaviors, settable at any time (a test can break a model between two calls). */
export function createBehaviorTable<B>(normalize: (model: string) => string = (m) => m): BehaviorTable<B> {
  const fixed = new Map<string, B>();
  const queued = new Map<string, B[]>();
  const key = (model: string) => (model === "*" ? model : normalize(model));
  const take = (k: string) => queued.get(k)?.shift() ?? fixed.get(k);
  return {
    set(model, behavior) {
      if (behavior === undefined) fixed.delete(key(model));
      else fixed.set(key(model), behavior);
    },
    queue(model, ...behaviors) {
      queued.set(key(model), [...(queued.get(key(model)) ?? []), ...behaviors]);
    },
    next: (model) => take(key(model)) ?? take("*"),
  };
}

/** Reads a request's body once and describes it for the log. */
export async function readRequest(req: Request, now: () => Date): Promise<RecordedRequest> {
  const rawBody = await req.text();
  const parsed = parseJson(rawBody);
  return {
    method: req.method,
    path: new URL(req.url).pathname,
    body: parsed.ok ? parsed.value : undefined,
    rawBody,
    headers: headersOf(req.headers),
    at: now(),
  };
}

function headersOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

function parseJson(text: string): Parsed {
  if (text.trim() === "") return { ok: false, error: "empty" };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface Message {
  role: string;
  content: string;
}

/** The body's messages that have a string role and content; others are skipped. */
export function messagesOf(body: JsonObject): Message[] {
  if (!Array.isArray(body.messages)) return [];
  return body.messages.flatMap((m: unknown) =>
    isObject(m) && typeof m.role === "string" && typeof m.content === "string"
      ? [{ role: m.role, content: m.content }]
      : [],
  );
}

/** The plausible token count of a text: one token per four characters. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Prompt tokens: every message's content. */
export function promptTokens(body: JsonObject): number {
  return estimateTokens(
    messagesOf(body)
      .map((m) => m.content)
      .join(""),
  );
}

/** Cuts a reply to at most `max` tokens; `cut` says whether it had to. */
export function capTokens(
  text: string,
  max: number | undefined,
): { content: string; tokens: number; cut: boolean } {
  const tokens = estimateTokens(text);
  if (max === undefined || max <= 0 || tokens <= max) return { content: text, tokens, cut: false };
  return { content: text.slice(0, max * 4), tokens: max, cut: true };
}

/** Splits a reply into word-sized stream pieces that join back to the reply. */
export function splitIntoPieces(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text === "" ? [] : [text]);
}

/** The first half of a reply's pieces (at least one): what a broken stream gets out. */
export function firstHalf<T>(pieces: T[]): T[] {
  return pieces.slice(0, Math.max(1, Math.floor(pieces.length / 2)));
}

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** A 200 response whose body is sent as separate chunks (chunked transfer encoding). */
export function streamResponse(contentType: string, parts: string[]): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": contentType } });
}

/** The text of a content (string or function) for this body. */
export function contentFor(content: Content, body: JsonObject): string {
  return typeof content === "string" ? content : content(body);
}

/** Valid JSON when the caller asked for JSON (`format` / `response_format`), plain text otherwise. */
export function defaultContent(body: JsonObject): string {
  if (body.format === undefined && body.response_format === undefined) return "Hello from the model double.";
  const last = lastUserContent(body);
  return last !== undefined && lastJsonBlock(last) !== undefined ? echoDraftFromPrompt(body) : "{}";
}

/** Text that is not JSON, as a small model sometimes returns even when asked for JSON. */
export const NOT_JSON_TEXT =
  "Sure! Here is the digest you asked for:\n\n**Title:** This week\n- Something happened.";

export function unreachable(value: never): never {
  throw new Error(`model double: unexpected ${JSON.stringify(value)}`);
}

// ---------------------------------------------------------------------------------------------
// echoDraftFromPrompt
// ---------------------------------------------------------------------------------------------

interface PromptItem {
  link: string;
  title: string;
  summary: string;
}

/**
 * A plausible draft for a prompt that carries its candidates as a fenced json block
 * `{ items: [{ link, title, summary }] }` (the LAST such block in the LAST user message): one
 * entry per item, whose summary is the first sentence of the item's summary. Returns JSON text
 * `{"title":…,"entries":[{"link":…,"summary":…}]}`. Throws when there is no readable block.
 */
export function echoDraftFromPrompt(body: JsonObject): string {
  const user = lastUserContent(body);
  if (user === undefined) throw new Error("echoDraftFromPrompt: no user message");
  const block = lastJsonBlock(user);
  if (block === undefined) throw new Error("echoDraftFromPrompt: no ```json block in the last user message");
  const items = readItems(block);
  const entries = items.map((item) => ({
    link: item.link,
    summary: firstSentence(item.summary) || item.title,
  }));
  return JSON.stringify({ title: draftTitle(items), entries });
}

function lastUserContent(body: JsonObject): string | undefined {
  return messagesOf(body).findLast((m) => m.role === "user")?.content;
}

function lastJsonBlock(text: string): string | undefined {
  const blocks = [...text.matchAll(/```json[^\n]*\n([\s\S]*?)```/g)];
  return blocks.at(-1)?.[1];
}

function readItems(block: string): PromptItem[] {
  const parsed = parseJson(block);
  if (!parsed.ok) throw new Error(`echoDraftFromPrompt: the json block is not JSON: ${parsed.error}`);
  const items = isObject(parsed.value) ? parsed.value.items : undefined;
  if (!Array.isArray(items)) throw new Error("echoDraftFromPrompt: the json block has no `items` array");
  return items.map((item: unknown, i) => {
    if (!isObject(item) || typeof item.link !== "string") {
      throw new Error(`echoDraftFromPrompt: items[${i}] has no string \`link\``);
    }
    const text = (v: unknown) => (typeof v === "string" ? v : "");
    return { link: item.link, title: text(item.title), summary: text(item.summary) };
  });
}

function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.match(/^.*?[.!?](?=\s|$)/)?.[0] ?? flat;
}

function draftTitle(items: PromptItem[]): string {
  const first = items[0]?.title.trim();
  return first ? `Digest: ${first}`.slice(0, 200) : "Digest";
}

// ---------------------------------------------------------------------------------------------
// OpenAI wire format (Ollama serves it at /v1; openai-double.ts reuses these builders)
// ---------------------------------------------------------------------------------------------

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usageOf(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export type FinishReason = "stop" | "length";

export interface CompletionHead {
  id: string;
  created: number;
  model: string;
}

export function completionHead(model: string, now: Date): CompletionHead {
  const id = `chatcmpl-${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
  return { id, created: Math.floor(now.getTime() / 1000), model };
}

/** The standard non-streaming `chat.completion` object; `usage` is left out when undefined. */
export function chatCompletion(
  head: CompletionHead,
  content: string,
  finishReason: FinishReason,
  usage: Usage | undefined,
): JsonObject {
  return {
    id: head.id,
    object: "chat.completion",
    created: head.created,
    model: head.model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: finishReason }],
    ...(usage ? { usage } : {}),
  };
}

export interface ChunkPlan {
  pieces: string[];
  finishReason: FinishReason;
  /** `stream_options.include_usage`: every chunk carries `usage: null`, the last one the usage. */
  includeUsage: boolean;
  /** Undefined: the usage chunk is missing even when asked for. */
  usage: Usage | undefined;
  /** "done": finish chunk, usage chunk, `[DONE]`; "cut": the pieces only, then the stream ends. */
  end: "done" | "cut";
}

/** The server-sent events of a streamed chat completion, each `data: …\n\n`. */
export function completionEvents(head: CompletionHead, plan: ChunkPlan): string[] {
  const chunk = (choices: unknown[], usage: Usage | null = null) => ({
    id: head.id,
    object: "chat.completion.chunk",
    created: head.created,
    model: head.model,
    choices,
    ...(plan.includeUsage ? { usage } : {}),
  });
  const delta = (d: JsonObject, finish: FinishReason | null = null) =>
    chunk([{ index: 0, delta: d, finish_reason: finish }]);
  const events: unknown[] = [
    delta({ role: "assistant", content: "" }),
    ...plan.pieces.map((p) => delta({ content: p })),
  ];
  if (plan.end === "done") {
    events.push(delta({}, plan.finishReason));
    if (plan.includeUsage && plan.usage) events.push(chunk([], plan.usage));
    events.push("[DONE]");
  }
  return events.map((e) => `data: ${typeof e === "string" ? e : JSON.stringify(e)}\n\n`);
}

/** An OpenAI-style error: `{"error":{"message","type","param":null,"code"}}`. */
export function openAiError(
  status: number,
  message: string,
  type: string,
  code: string | null,
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(status, { error: { message, type, param: null, code } }, headers);
}

// ---------------------------------------------------------------------------------------------
// The Ollama double
// ---------------------------------------------------------------------------------------------

export interface OllamaModel {
  name: string;
  model: string;
  modified_at: string;
  size: number;
  digest: string;
  details: {
    parent_model: string;
    format: string;
    family: string;
    families: string[];
    parameter_size: string;
    quantization_level: string;
  };
}

/** What the text of a reply is; defaults to the double's content function. */
type ReplyContent = { content?: Content };

export type OllamaBehavior =
  /** A normal answer. `cachedPrompt`: omit `prompt_eval_count` (and its duration), as on a cached prompt. */
  | ({ kind: "reply"; cachedPrompt?: boolean } & ReplyContent)
  /** An error before any output: `{"error": message}` with this status. */
  | { kind: "error"; status: number; message: string }
  /** A reply whose content is not JSON (default `NOT_JSON_TEXT`). */
  | { kind: "not_json"; content?: string }
  /** Streaming: 200, some chunks, then a `{"error"}` line and no done chunk. Non-streaming: 500. */
  | ({ kind: "mid_stream_error"; message?: string } & ReplyContent)
  /** Streaming: 200, some chunks, then the stream ends with no done chunk. Non-streaming: truncated JSON. */
  | ({ kind: "cut_stream" } & ReplyContent)
  /** No headers at all for `ms` (the model loads), then `after` (default: a reply). */
  | { kind: "cold_load"; ms: number; after?: OllamaBehavior }
  /** Held until `until` settles (resolved or rejected), then `after` (default: a reply). */
  | { kind: "gated"; until: PromiseLike<unknown>; after?: OllamaBehavior }
  /** Never answers, until the client aborts or the double stops. */
  | { kind: "hang" };

/** Errors the real server gives before any output. */
export const ollamaPresets = {
  loadTimeout: { kind: "error", status: 500, message: "timed out waiting for llama runner to start" },
  serverBusy: {
    kind: "error",
    status: 503,
    message: "server busy, please try again.  maximum pending requests exceeded",
  },
} as const satisfies Record<string, OllamaBehavior>;

const MID_STREAM_MESSAGE = "an error was encountered while running the model: unexpected EOF";

export interface OllamaDoubleOptions {
  /** Models it has pulled (names, or full entries). Default: `llama3.1:8b`, `qwen2.5:3b`. */
  models?: (string | OllamaModel)[];
  /** The text of replies whose behavior names none. Default: `defaultContent`. */
  content?: Content;
  version?: string;
  now?: () => Date;
  /** The context a request gets when it sets no `options.num_ctx`. Default 2048 (older servers; 4096 on current ones). */
  defaultNumCtx?: number;
}

export interface OllamaDouble {
  /** `http://127.0.0.1:PORT`, to pass as the ollama client's `host`. */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** The pulled models by full name (`name:tag`); edit freely. */
  readonly models: Map<string, OllamaModel>;
  pull(model: string | OllamaModel): void;
  remove(model: string): void;
  setBehavior(model: string, behavior: OllamaBehavior | undefined): void;
  queueBehaviors(model: string, ...behaviors: OllamaBehavior[]): void;
  waitForRequests(count: number): Promise<RecordedRequest[]>;
  /** Requests held right now (cold_load, gated, hang). */
  pendingCount(): number;
  /** Resolves when no request is held (e.g. after a client abort reached the double). */
  idle(): Promise<void>;
  /** Closes every connection, ends held requests, and stops listening. */
  stop(): Promise<void>;
}

/** Adds `:latest` to a model name without a tag, as the server does. */
export function withTag(name: string): string {
  const last = name.split("/").at(-1) ?? name;
  return last.includes(":") ? name : `${name}:latest`;
}

/** A plausible `/api/tags` entry for a model name (`llama3.1:8b` → family llama, 8.0B, Q4_K_M). */
export function ollamaModel(name: string, modifiedAt: Date = new Date("2026-01-01T00:00:00Z")): OllamaModel {
  const full = withTag(name);
  const [base = full, tag = "latest"] = (full.split("/").at(-1) ?? full).split(":");
  const billions = Number(tag.match(/(\d+(?:\.\d+)?)b/i)?.[1] ?? "3.2");
  const family = base.replace(/[\d.]+$/, "") || base;
  return {
    name: full,
    model: full,
    modified_at: modifiedAt.toISOString(),
    size: Math.round(billions * 0.6e9),
    digest: createHash("sha256").update(full).digest("hex"),
    details: {
      parent_model: "",
      format: "gguf",
      family,
      families: [family],
      parameter_size: `${billions.toFixed(1)}B`,
      quantization_level: "Q4_K_M",
    },
  };
}

interface Env {
  models: Map<string, OllamaModel>;
  behaviors: BehaviorTable<OllamaBehavior>;
  holds: Holds;
  log: RequestLog;
  content: Content;
  version: string;
  now: () => Date;
  defaultNumCtx: number;
}

/** Starts an Ollama double on 127.0.0.1 (a free port). */
export async function startOllamaDouble(opts: OllamaDoubleOptions = {}): Promise<OllamaDouble> {
  const now = opts.now ?? (() => new Date());
  const env: Env = {
    models: new Map(),
    behaviors: createBehaviorTable<OllamaBehavior>(withTag),
    holds: createHolds(),
    log: createRequestLog(),
    content: opts.content ?? defaultContent,
    version: opts.version ?? "0.12.6",
    defaultNumCtx: opts.defaultNumCtx ?? 2048,
    now,
  };
  const pull = (m: string | OllamaModel) => {
    const entry = typeof m === "string" ? ollamaModel(m, now()) : m;
    env.models.set(entry.name, entry);
  };
  for (const m of opts.models ?? ["llama3.1:8b", "qwen2.5:3b"]) pull(m);
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    fetch: (req) => route(env, req),
  });
  const port = server.port ?? 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: env.log.entries,
    models: env.models,
    pull,
    remove: (name) => env.models.delete(env.models.has(name) ? name : withTag(name)),
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
  const rec = await readRequest(req, env.now);
  env.log.add(rec);
  let res: Response | null;
  try {
    res = await dispatch(env, req, rec);
  } catch (err) {
    res = jsonResponse(500, { error: `ollama double: ${err instanceof Error ? err.message : String(err)}` });
  }
  if (res === null) return new Response(null, { status: 499 });
  rec.status = res.status;
  return res;
}

function dispatch(env: Env, req: Request, rec: RecordedRequest): Promise<Response | null> | Response {
  switch (`${req.method} ${rec.path}`) {
    case "GET /":
    case "HEAD /":
      return new Response("Ollama is running", { headers: { "content-type": "text/plain; charset=utf-8" } });
    case "GET /api/version":
      return jsonResponse(200, { version: env.version });
    case "GET /api/tags":
      return jsonResponse(200, { models: [...env.models.values()] });
    case "POST /api/chat":
      return chat(env, ollamaWire, req, rec);
    case "POST /api/generate":
      return chat(env, generateWire, req, rec);
    case "POST /v1/chat/completions":
      return chat(env, compatWire, req, rec);
    default:
      return new Response("404 page not found", { status: 404, headers: { "content-type": "text/plain" } });
  }
}

interface Ctx {
  req: Request;
  rec: RecordedRequest;
  body: JsonObject;
  model: string;
  stream: boolean;
  maxTokens: number | undefined;
  loadMs: number;
}

/** How answers are written: Ollama's own API or its OpenAI-compatible one. */
interface Wire {
  /** The request as the model sees it, as a chat (`/api/generate`'s prompt and system become messages). */
  asChat(body: JsonObject): JsonObject;
  badBody(message: string): Response;
  error(status: number, message: string): Response;
  streams(body: JsonObject): boolean;
  maxTokens(body: JsonObject): number | undefined;
  /** Whether requests run in a context window that cuts the prompt's front (Ollama's own API). */
  windowed: boolean;
  reply(env: Env, ctx: Ctx, text: string, cachedPrompt: boolean): Response;
  /** Output that starts and then breaks: with an error line (`message`) or cut. */
  broken(env: Env, ctx: Ctx, text: string, message: string | undefined): Response;
}

function chat(env: Env, wire: Wire, req: Request, rec: RecordedRequest): Promise<Response | null> | Response {
  const parsed = parseChatBody(rec.rawBody);
  if (!parsed.ok) return wire.badBody(parsed.error);
  const body = wire.asChat(parsed.value);
  const model = typeof body.model === "string" ? body.model : "";
  if (model === "") return wire.error(400, "model is required");
  if (!env.models.has(model) && !env.models.has(withTag(model))) {
    return wire.error(404, `model "${model}" not found, try pulling it first`);
  }
  const fitted = wire.windowed ? fitContext(body, env.defaultNumCtx) : undefined;
  if (fitted) rec.context = fitted.window;
  const ctx: Ctx = {
    req,
    rec,
    body: fitted?.body ?? body,
    model,
    stream: wire.streams(body),
    maxTokens: wire.maxTokens(body),
    loadMs: 0,
  };
  return perform(env, wire, ctx, env.behaviors.next(model) ?? { kind: "reply" });
}

const numberOption = (body: JsonObject, name: string) =>
  isObject(body.options) && typeof body.options[name] === "number" ? body.options[name] : undefined;

/**
 * The body the model sees in its context window: when the prompt (chars / 4 tokens) is longer
 * than the window, characters are cut from the front of the joined messages until it fits —
 * whole messages first (the system prompt), then the start of the next one.
 */
export function fitContext(
  body: JsonObject,
  defaultNumCtx: number,
): { body: JsonObject; window: ContextWindow } {
  const requestedCtx = numberOption(body, "num_ctx");
  const numCtx = requestedCtx !== undefined && requestedCtx > 0 ? requestedCtx : defaultNumCtx;
  const messages = messagesOf(body);
  const tokens = promptTokens(body);
  let drop = Math.max(0, tokens - numCtx) * 4;
  const kept: Message[] = [];
  for (const m of messages) {
    if (drop >= m.content.length) {
      drop -= m.content.length;
      continue;
    }
    kept.push({ role: m.role, content: m.content.slice(drop) });
    drop = 0;
  }
  const systems = messages.filter((m) => m.role === "system");
  const systemKept = systems.every((m) => kept.some((k) => k.role === "system" && k.content === m.content));
  const window: ContextWindow = {
    numCtx,
    requested: requestedCtx !== undefined,
    numPredict: numberOption(body, "num_predict"),
    promptTokens: tokens,
    droppedTokens: Math.max(0, tokens - numCtx),
    systemKept,
  };
  return { body: tokens > numCtx ? { ...body, messages: kept } : body, window };
}

function parseChatBody(raw: string): { ok: true; value: JsonObject } | { ok: false; error: string } {
  if (raw.trim() === "") return { ok: false, error: "missing request body" };
  const parsed = parseJson(raw);
  if (!parsed.ok) return { ok: false, error: `invalid character in request body: ${parsed.error}` };
  if (!isObject(parsed.value))
    return { ok: false, error: "json: cannot unmarshal into Go value of type api.ChatRequest" };
  return { ok: true, value: parsed.value };
}

async function perform(env: Env, wire: Wire, ctx: Ctx, b: OllamaBehavior): Promise<Response | null> {
  const text = (content: Content | undefined) => contentFor(content ?? env.content, ctx.body);
  switch (b.kind) {
    case "reply":
      return wire.reply(env, ctx, text(b.content), b.cachedPrompt === true);
    case "not_json":
      return wire.reply(env, ctx, b.content ?? NOT_JSON_TEXT, false);
    case "error":
      return wire.error(b.status, b.message);
    case "mid_stream_error":
      return wire.broken(env, ctx, text(b.content), b.message ?? MID_STREAM_MESSAGE);
    case "cut_stream":
      return wire.broken(env, ctx, text(b.content), undefined);
    case "cold_load":
      if (!(await env.holds.hold(ctx.req.signal, b.ms, ctx.rec))) return null;
      return perform(env, wire, { ...ctx, loadMs: ctx.loadMs + b.ms }, b.after ?? { kind: "reply" });
    case "gated":
      if (!(await env.holds.hold(ctx.req.signal, b.until, ctx.rec))) return null;
      return perform(env, wire, ctx, b.after ?? { kind: "reply" });
    case "hang":
      await env.holds.hold(ctx.req.signal, "forever", ctx.rec);
      return null;
    default:
      return unreachable(b);
  }
}

// Nanoseconds, so that durations look like a small model on a laptop.
const WARM_LOAD_NS = 12_000_000;
const PROMPT_NS_PER_TOKEN = 400_000;
const EVAL_NS_PER_TOKEN = 25_000_000;
const OVERHEAD_NS = 3_000_000;

/** The done chunk's metrics, integers in nanoseconds; zero ones (and an unknown count) left out. */
function ollamaMetrics(prompt: number | undefined, evalTokens: number, loadMs: number): JsonObject {
  const load = loadMs > 0 ? Math.round(loadMs * 1_000_000) : WARM_LOAD_NS;
  const promptDuration = (prompt ?? 0) * PROMPT_NS_PER_TOKEN;
  const evalDuration = evalTokens * EVAL_NS_PER_TOKEN;
  const all = {
    total_duration: load + promptDuration + evalDuration + OVERHEAD_NS,
    load_duration: load,
    prompt_eval_count: prompt ?? 0,
    prompt_eval_duration: promptDuration,
    eval_count: evalTokens,
    eval_duration: evalDuration,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v > 0));
}

function ndjson(lines: unknown[]): Response {
  return streamResponse(
    "application/x-ndjson",
    lines.map((line) => `${JSON.stringify(line)}\n`),
  );
}

/** How Ollama's own API shapes a reply's text: chat as an assistant `message`, generate as `response`. */
type Shape = "chat" | "generate";

const textField = (shape: Shape, text: string): JsonObject =>
  shape === "chat" ? { message: { role: "assistant", content: text } } : { response: text };

/** The conversation's token ids a generate answer carries in `context` (one per token, plausible ids). */
function contextIds(tokens: number): number[] {
  return Array.from({ length: tokens }, (_, i) => 128 + ((i * 7919) % 32_000));
}

/** A generate request as a chat: `system` and `prompt` as the two messages (an empty prompt: none, a load). */
function generateAsChat(body: JsonObject): JsonObject {
  const prompt = typeof body.prompt === "string" ? body.prompt : "";
  const system = typeof body.system === "string" && body.system !== "" ? body.system : null;
  const messages =
    prompt === ""
      ? []
      : [...(system ? [{ role: "system", content: system }] : []), { role: "user", content: prompt }];
  return { ...body, messages };
}

function ollamaApiWire(shape: Shape): Wire {
  return {
    asChat: shape === "chat" ? (body) => body : generateAsChat,
    badBody: (message) => jsonResponse(400, { error: message }),
    error: (status, message) => jsonResponse(status, { error: message }),
    streams: (body) => body.stream !== false,
    windowed: true,
    maxTokens: (body) =>
      isObject(body.options) && typeof body.options.num_predict === "number"
        ? body.options.num_predict
        : undefined,
    reply(env, ctx, text, cachedPrompt) {
      const head = { model: ctx.model, created_at: env.now().toISOString() };
      if (messagesOf(ctx.body).length === 0) {
        return jsonResponse(200, { ...head, ...textField(shape, ""), done_reason: "load", done: true });
      }
      const { content, tokens, cut } = capTokens(text, ctx.maxTokens);
      if (ctx.rec.context) ctx.rec.context.shifted = promptTokens(ctx.body) + tokens > ctx.rec.context.numCtx;
      const metrics = ollamaMetrics(cachedPrompt ? undefined : promptTokens(ctx.body), tokens, ctx.loadMs);
      const context = shape === "generate" ? { context: contextIds(promptTokens(ctx.body) + tokens) } : {};
      const done = { ...head, done_reason: cut ? "length" : "stop", done: true };
      if (!ctx.stream)
        return jsonResponse(200, { ...head, ...textField(shape, content), ...done, ...context, ...metrics });
      const pieces = splitIntoPieces(content).map((p) => ({ ...head, ...textField(shape, p), done: false }));
      return ndjson([...pieces, { ...head, ...textField(shape, ""), ...done, ...context, ...metrics }]);
    },
    broken(env, ctx, text, message) {
      const head = { model: ctx.model, created_at: env.now().toISOString() };
      if (!ctx.stream) {
        if (message !== undefined) return jsonResponse(500, { error: message });
        const whole = JSON.stringify({ ...head, ...textField(shape, text), done: true });
        return new Response(whole.slice(0, Math.floor(whole.length / 2)), {
          headers: { "content-type": "application/json; charset=utf-8" },
        });
      }
      const pieces = firstHalf(splitIntoPieces(text)).map((p) => ({
        ...head,
        ...textField(shape, p),
        done: false,
      }));
      return ndjson(message === undefined ? pieces : [...pieces, { error: message }]);
    },
  };
}

const ollamaWire = ollamaApiWire("chat");
const generateWire = ollamaApiWire("generate");

const compatWire: Wire = {
  asChat: (body) => body,
  badBody: (message) => openAiError(400, message, "invalid_request_error", null),
  // The real server passes its own errors through with type "api_error" and keeps the status.
  error: (status, message) => openAiError(status, message, "api_error", null),
  streams: (body) => body.stream === true,
  windowed: false,
  maxTokens: (body) => {
    const max = body.max_completion_tokens ?? body.max_tokens;
    return typeof max === "number" ? max : undefined;
  },
  reply(env, ctx, text, cachedPrompt) {
    const head = completionHead(ctx.model, env.now());
    const { content, tokens, cut } = capTokens(text, ctx.maxTokens);
    const usage = usageOf(cachedPrompt ? 0 : promptTokens(ctx.body), tokens);
    const finishReason = cut ? "length" : "stop";
    if (!ctx.stream) return jsonResponse(200, chatCompletion(head, content, finishReason, usage));
    const includeUsage = isObject(ctx.body.stream_options) && ctx.body.stream_options.include_usage === true;
    const plan: ChunkPlan = {
      pieces: splitIntoPieces(content),
      finishReason,
      includeUsage,
      usage,
      end: "done",
    };
    return streamResponse("text/event-stream", completionEvents(head, plan));
  },
  broken(env, ctx, text, message) {
    if (!ctx.stream) {
      if (message !== undefined) return openAiError(500, message, "api_error", null);
      const whole = JSON.stringify(
        chatCompletion(completionHead(ctx.model, env.now()), text, "stop", undefined),
      );
      return new Response(whole.slice(0, Math.floor(whole.length / 2)), {
        headers: { "content-type": "application/json" },
      });
    }
    const head = completionHead(ctx.model, env.now());
    const plan: ChunkPlan = {
      pieces: firstHalf(splitIntoPieces(text)),
      finishReason: "stop",
      includeUsage: false,
      usage: undefined,
      end: "cut",
    };
    const events = completionEvents(head, plan);
    const error = { error: { message, type: "api_error", param: null, code: null } };
    return streamResponse(
      "text/event-stream",
      message === undefined ? events : [...events, `data: ${JSON.stringify(error)}\n\n`],
    );
  },
};
