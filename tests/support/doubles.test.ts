import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { Ollama } from "ollama";
import {
  echoDraftFromPrompt,
  type OllamaDouble,
  ollamaPresets,
  startOllamaDouble,
  withTag,
} from "../../src/evidence/doubles/ollama-double.ts";
import {
  OPENAI_DOUBLE_KEY,
  type OpenAiDouble,
  startOpenAiDouble,
} from "../../src/evidence/doubles/openai-double.ts";

/** A fetch that gives up after `ms`, as afk injects into the ollama client. */
function fetchWithTimeout(ms: number): typeof fetch {
  const f = (input: RequestInfo | URL, init?: RequestInit) =>
    fetch(input, { ...init, signal: AbortSignal.timeout(ms) });
  return Object.assign(f, { preconnect: fetch.preconnect });
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error & { status_code?: unknown }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Error) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}

/** The `data:` payloads of a server-sent event stream. */
async function sseData(res: Response): Promise<string[]> {
  return (await res.text())
    .split("\n\n")
    .filter((event) => event.trim() !== "")
    .map((event) => event.replace(/^data: /, ""));
}

const items = [
  {
    link: "https://example.com/sqlite",
    title: "SQLite 3.50 released",
    source: "SQLite news",
    summary: "SQLite 3.50 adds new JSONB functions.  It also fixes two bugs.",
  },
  { link: "https://example.com/bun", title: "Bun 2.0", source: "Bun blog", summary: "" },
];

/** A prompt shaped like afk's: the candidates travel as the last fenced json block. */
const draftMessages = [
  { role: "system", content: 'Reply with JSON only: {"title": string, "entries": [...]}' },
  {
    role: "user",
    content: [
      "An example, not a candidate:",
      "```json",
      '{"items":[{"link":"https://old.example","title":"Old","summary":"Old news."}]}',
      "```",
      "Items:",
      "```json",
      JSON.stringify({ items }, null, 1),
      "```",
    ].join("\n"),
  },
];

const expectedDraft = {
  title: "Digest: SQLite 3.50 released",
  entries: [
    { link: "https://example.com/sqlite", summary: "SQLite 3.50 adds new JSONB functions." },
    { link: "https://example.com/bun", summary: "Bun 2.0" },
  ],
};

describe("echoDraftFromPrompt", () => {
  test("summarises each item of the last json block of the last user message in one sentence", () => {
    expect(JSON.parse(echoDraftFromPrompt({ messages: draftMessages }))).toEqual(expectedDraft);
  });

  test("throws when the last user message has no json block", () => {
    expect(() => echoDraftFromPrompt({ messages: [{ role: "user", content: "hello" }] })).toThrow(
      "echoDraftFromPrompt: no ```json block",
    );
  });

  test("model names without a tag mean :latest", () => {
    expect(withTag("llama3.1")).toBe("llama3.1:latest");
    expect(withTag("library/qwen2.5:3b")).toBe("library/qwen2.5:3b");
  });
});

describe("Ollama double", () => {
  let double: OllamaDouble;
  let client: Ollama;

  beforeEach(async () => {
    double = await startOllamaDouble();
    client = new Ollama({ host: double.url });
  });
  afterEach(() => double.stop());

  test("answers / , HEAD / and /api/version like the server", async () => {
    const root = await fetch(`${double.url}/`);
    expect(root.status).toBe(200);
    expect(await root.text()).toBe("Ollama is running");
    const head = await fetch(`${double.url}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await client.version()).toEqual({ version: expect.stringMatching(/^0\.\d+\.\d+$/) });
  });

  test("lists the pulled models with full entries in /api/tags", async () => {
    const { models } = await client.list();
    expect(models.map((m) => m.name)).toEqual(["llama3.1:8b", "qwen2.5:3b"]);
    expect(models[0]).toMatchObject({
      model: "llama3.1:8b",
      size: expect.any(Number),
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      details: { format: "gguf", family: "llama", parameter_size: "8.0B", quantization_level: "Q4_K_M" },
    });
    expect(Number.isNaN(Date.parse(String(models[0]?.modified_at)))).toBe(false);
  });

  test("a non-streaming chat with format gets one JSON object with integer metrics", async () => {
    const res = await client.chat({
      model: "llama3.1:8b",
      messages: draftMessages,
      format: "json",
      stream: false,
    });
    expect(JSON.parse(res.message.content)).toEqual(expectedDraft);
    expect(res).toMatchObject({
      model: "llama3.1:8b",
      done: true,
      done_reason: "stop",
      message: { role: "assistant" },
    });
    expect(new Date(String(res.created_at)).toISOString()).toBe(String(res.created_at));
    const promptChars = draftMessages.reduce((n, m) => n + m.content.length, 0);
    expect(res.prompt_eval_count).toBe(Math.ceil(promptChars / 4));
    expect(res.eval_count).toBe(Math.ceil(res.message.content.length / 4));
    for (const metric of [
      "total_duration",
      "load_duration",
      "prompt_eval_duration",
      "eval_duration",
    ] as const) {
      expect(Number.isInteger(res[metric])).toBe(true);
      expect(res[metric]).toBeGreaterThan(0);
    }
  });

  test("the default reply is valid JSON with format set and text without it", async () => {
    const ask = [{ role: "user", content: "Say hi" }];
    const json = await client.chat({ model: "qwen2.5:3b", messages: ask, format: { type: "object" } });
    expect(JSON.parse(json.message.content)).toEqual({});
    const text = await client.chat({ model: "qwen2.5:3b", messages: ask });
    expect(() => JSON.parse(text.message.content)).toThrow();
  });

  test("a content function receives the parsed request body", async () => {
    double.setBehavior("llama3.1:8b", {
      kind: "reply",
      content: (body) => `temperature ${JSON.stringify(body.options)}`,
    });
    const res = await client.chat({
      model: "llama3.1:8b",
      messages: draftMessages,
      options: { temperature: 0.2 },
    });
    expect(res.message.content).toBe('temperature {"temperature":0.2}');
  });

  test("streams ndjson unless stream is exactly false: metrics only on the done chunk", async () => {
    const raw = await fetch(`${double.url}/api/chat`, {
      method: "POST",
      body: JSON.stringify({ model: "llama3.1:8b", messages: draftMessages, format: "json" }),
    });
    expect(raw.headers.get("content-type")).toBe("application/x-ndjson");
    const lines = (await raw.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(2);
    const last = lines.at(-1);
    expect(last).toMatchObject({ done: true, done_reason: "stop", eval_count: expect.any(Number) });
    for (const chunk of lines.slice(0, -1)) {
      expect(chunk.done).toBe(false);
      expect(chunk.eval_count).toBeUndefined();
      expect(chunk.total_duration).toBeUndefined();
    }
    expect(JSON.parse(lines.map((l) => l.message.content).join(""))).toEqual(expectedDraft);
  });

  test("the real client reads the stream to the done chunk", async () => {
    let content = "";
    let done: unknown;
    for await (const part of await client.chat({
      model: "llama3.1:8b",
      messages: draftMessages,
      format: "json",
      stream: true,
    })) {
      content += part.message.content;
      if (part.done) done = part;
    }
    expect(JSON.parse(content)).toEqual(expectedDraft);
    expect(done).toMatchObject({ done_reason: "stop", prompt_eval_count: expect.any(Number) });
  });

  test("generate answers `response` from prompt and system, with the counts, done_reason and context the server sends", async () => {
    double.setBehavior("llama3.1:8b", {
      kind: "reply",
      content: (body) => `saw ${JSON.stringify(body.messages)}`,
    });
    const res = await client.generate({
      model: "llama3.1:8b",
      prompt: "Name a pragma.",
      system: "Be brief.",
    });
    const seen = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Name a pragma." },
    ];
    expect(res.response).toBe(`saw ${JSON.stringify(seen)}`);
    expect(res).toMatchObject({ model: "llama3.1:8b", done: true, done_reason: "stop" });
    expect((res as unknown as { message?: unknown }).message).toBeUndefined();
    expect(res.prompt_eval_count).toBe(Math.ceil("Be brief.Name a pragma.".length / 4));
    expect(res.eval_count).toBe(Math.ceil((res.response ?? "").length / 4));
    expect(res.context).toHaveLength(res.prompt_eval_count + res.eval_count);
    expect(double.requests.at(-1)?.path).toBe("/api/generate");
  });

  test("generate streams ndjson `response` pieces; the done chunk alone has the metrics and context; num_predict cuts it", async () => {
    let text = "";
    let last: Record<string, unknown> = {};
    for await (const part of await client.generate({
      model: "llama3.1:8b",
      prompt: "Say hello.",
      stream: true,
      options: { num_predict: 3 },
    })) {
      text += part.response;
      if (part.done) last = part as unknown as Record<string, unknown>;
      else {
        expect(part.eval_count).toBeUndefined();
        expect(part.context).toBeUndefined();
      }
    }
    expect(text).toBe("Hello from the model double.".slice(0, 12));
    expect(last).toMatchObject({ done_reason: "length", eval_count: 3, context: expect.any(Array) });
  });

  test("generate with no prompt loads the model: done_reason load, no output", async () => {
    const res = await client.generate({ model: "llama3.1:8b", prompt: "" });
    expect(res).toMatchObject({ response: "", done: true, done_reason: "load" });
  });

  test("400 when the model or the body is missing", async () => {
    const post = (body: string) => fetch(`${double.url}/api/chat`, { method: "POST", body });
    const noModel = await post(JSON.stringify({ messages: [] }));
    expect(noModel.status).toBe(400);
    expect(await noModel.json()).toEqual({ error: "model is required" });
    const noBody = await post("");
    expect(noBody.status).toBe(400);
    expect(await noBody.json()).toEqual({ error: "missing request body" });
  });

  test("404 for a model that is not pulled, as a ResponseError in the client", async () => {
    double.remove("qwen2.5:3b");
    const err = await rejectionOf(client.chat({ model: "qwen2.5:3b", messages: draftMessages }));
    expect(err.name).toBe("ResponseError");
    expect(err.status_code).toBe(404);
    expect(err.message).toBe('model "qwen2.5:3b" not found, try pulling it first');
    double.pull("qwen2.5:3b");
    expect((await client.chat({ model: "qwen2.5:3b", messages: draftMessages })).done).toBe(true);
  });

  test("a behavior can break the primary between two calls, and mend it", async () => {
    expect((await client.chat({ model: "llama3.1:8b", messages: draftMessages })).done).toBe(true);
    double.setBehavior("llama3.1:8b", ollamaPresets.loadTimeout);
    const err = await rejectionOf(client.chat({ model: "llama3.1:8b", messages: draftMessages }));
    expect(err).toMatchObject({ name: "ResponseError", status_code: 500 });
    expect(err.message).toBe("timed out waiting for llama runner to start");
    expect((await client.chat({ model: "qwen2.5:3b", messages: draftMessages })).done).toBe(true);
    double.setBehavior("llama3.1:8b", undefined);
    expect((await client.chat({ model: "llama3.1:8b", messages: draftMessages })).done).toBe(true);
  });

  test("queued behaviors are used once each, before the set one", async () => {
    double.queueBehaviors("llama3.1:8b", ollamaPresets.serverBusy);
    const err = await rejectionOf(client.chat({ model: "llama3.1:8b", messages: draftMessages }));
    expect(err).toMatchObject({ name: "ResponseError", status_code: 503 });
    expect(err.message).toBe("server busy, please try again.  maximum pending requests exceeded");
    expect((await client.chat({ model: "llama3.1:8b", messages: draftMessages })).done).toBe(true);
  });

  test("not_json replies with content that does not parse", async () => {
    double.setBehavior("*", { kind: "not_json" });
    const res = await client.chat({ model: "qwen2.5:3b", messages: draftMessages, format: "json" });
    expect(res.done).toBe(true);
    expect(() => JSON.parse(res.message.content)).toThrow();
  });

  test("num_predict cuts the reply: eval_count is the cap and done_reason is length", async () => {
    const res = await client.chat({
      model: "llama3.1:8b",
      messages: draftMessages,
      format: "json",
      options: { num_predict: 5 },
    });
    expect(res.done_reason).toBe("length");
    expect(res.eval_count).toBe(5);
    expect(res.message.content).toHaveLength(20);
  });

  test("a prompt past num_ctx (default 2048) loses its front: the system prompt first, and the model sees only the rest", async () => {
    const system = { role: "system", content: "S".repeat(400) };
    const user = { role: "user", content: "U".repeat(8192) };
    const seen: unknown[] = [];
    double.setBehavior("llama3.1:8b", {
      kind: "reply",
      content: (body) => {
        seen.push(body.messages);
        return "ok";
      },
    });
    const res = await client.chat({ model: "llama3.1:8b", messages: [system, user] });
    const rec = double.requests.at(-1);
    expect(rec?.context).toEqual({
      numCtx: 2048,
      requested: false,
      numPredict: undefined,
      promptTokens: 2148,
      droppedTokens: 100,
      systemKept: false,
      shifted: true,
    });
    expect(seen[0]).toEqual([{ role: "user", content: "U".repeat(8192) }]);
    expect(res.prompt_eval_count).toBe(2048);

    await client.chat({
      model: "llama3.1:8b",
      messages: [system, user],
      options: { num_ctx: 4096, num_predict: 64 },
    });
    expect(double.requests.at(-1)?.context).toMatchObject({
      numCtx: 4096,
      requested: true,
      numPredict: 64,
      droppedTokens: 0,
      systemKept: true,
      shifted: false,
    });
    expect(seen[1]).toEqual([system, user]);
  });

  test("a cached prompt leaves prompt_eval_count out", async () => {
    double.setBehavior("llama3.1:8b", { kind: "reply", cachedPrompt: true });
    const res = await client.chat({ model: "llama3.1:8b", messages: draftMessages });
    expect("prompt_eval_count" in res).toBe(false);
    expect(res.eval_count).toBeGreaterThan(0);
  });

  test("a mid-stream error keeps status 200, ends with an error line and no done chunk", async () => {
    double.setBehavior("llama3.1:8b", {
      kind: "mid_stream_error",
      message: "llama runner process has terminated",
    });
    const raw = await fetch(`${double.url}/api/chat`, {
      method: "POST",
      body: JSON.stringify({ model: "llama3.1:8b", messages: draftMessages }),
    });
    expect(raw.status).toBe(200);
    const lines = (await raw.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.at(-1)).toEqual({ error: "llama runner process has terminated" });
    expect(lines.some((l) => l.done === true)).toBe(false);

    const parts: string[] = [];
    const err = await rejectionOf(
      (async () => {
        for await (const part of await client.chat({
          model: "llama3.1:8b",
          messages: draftMessages,
          stream: true,
        })) {
          parts.push(part.message.content);
        }
      })(),
    );
    expect(parts.length).toBeGreaterThan(0);
    expect(err.message).toBe("llama runner process has terminated");
  });

  test("a cut stream makes the client throw 'Did not receive done or success response in stream.'", async () => {
    double.setBehavior("llama3.1:8b", { kind: "cut_stream" });
    const err = await rejectionOf(
      (async () => {
        for await (const _ of await client.chat({
          model: "llama3.1:8b",
          messages: draftMessages,
          stream: true,
        })) {
          // drain
        }
      })(),
    );
    expect(err.message).toBe("Did not receive done or success response in stream.");
  });

  test("a mid-stream error on a non-streaming call is a 500 ResponseError", async () => {
    double.setBehavior("llama3.1:8b", { kind: "mid_stream_error" });
    const err = await rejectionOf(client.chat({ model: "llama3.1:8b", messages: draftMessages }));
    expect(err).toMatchObject({ name: "ResponseError", status_code: 500 });
  });

  test("cold_load sends no headers until the model is loaded, then replies with its load time", async () => {
    double.setBehavior("llama3.1:8b", { kind: "cold_load", ms: 300 });
    const early = await rejectionOf(
      fetchWithTimeout(50)(`${double.url}/api/chat`, {
        method: "POST",
        body: JSON.stringify({ model: "llama3.1:8b", messages: draftMessages, stream: false }),
      }),
    );
    expect(early.name).toBe("TimeoutError");
    await double.idle();
    expect(double.requests[0]?.aborted).toBe(true);

    double.setBehavior("llama3.1:8b", { kind: "cold_load", ms: 100 });
    const res = await client.chat({ model: "llama3.1:8b", messages: draftMessages });
    expect(res.load_duration).toBeGreaterThanOrEqual(100_000_000);
  });

  test("cold_load can end in a runner failure", async () => {
    double.setBehavior("llama3.1:8b", { kind: "cold_load", ms: 20, after: ollamaPresets.loadTimeout });
    const err = await rejectionOf(client.chat({ model: "llama3.1:8b", messages: draftMessages }));
    expect(err).toMatchObject({ name: "ResponseError", status_code: 500 });
  });

  test("hang never answers; the client's abort reaches the double", async () => {
    double.setBehavior("llama3.1:8b", { kind: "hang" });
    const patient = new Ollama({ host: double.url, fetch: fetchWithTimeout(200) });
    const err = await rejectionOf(patient.chat({ model: "llama3.1:8b", messages: draftMessages }));
    expect(err.name).toBe("TimeoutError");
    await double.idle();
    expect(double.pendingCount()).toBe(0);
    expect(double.requests[0]).toMatchObject({ path: "/api/chat", aborted: true });
    expect(double.requests[0]?.status).toBeUndefined();
  });

  test("stop ends a hanging request and closes its connection", async () => {
    double.setBehavior("*", { kind: "hang" });
    const pending = rejectionOf(client.chat({ model: "qwen2.5:3b", messages: draftMessages }));
    await double.waitForRequests(1);
    expect(double.pendingCount()).toBe(1);
    await double.stop();
    const err = await pending;
    expect(err.name).not.toBe("ResponseError");
    expect(double.requests[0]?.aborted).toBe(true);
  });

  test("gated replies wait for the test, so calls can be held in flight together", async () => {
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    double.setBehavior("*", { kind: "gated", until: gate });
    const calls = [
      client.chat({ model: "llama3.1:8b", messages: draftMessages }),
      client.chat({ model: "qwen2.5:3b", messages: draftMessages }),
    ];
    await double.waitForRequests(2);
    expect(double.pendingCount()).toBe(2);
    open();
    const replies = await Promise.all(calls);
    expect(replies.map((r) => r.done)).toEqual([true, true]);
  });

  test("records every request: method, path, parsed body, headers, time, status", async () => {
    await client.chat({ model: "llama3.1:8b", messages: draftMessages, keep_alive: "10m" });
    await client.list();
    expect(double.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ["POST", "/api/chat", 200],
      ["GET", "/api/tags", 200],
    ]);
    const [chat] = double.requests;
    expect(chat?.body).toMatchObject({ model: "llama3.1:8b", stream: false, keep_alive: "10m" });
    expect(chat?.headers["user-agent"]).toStartWith("ollama-js/");
    expect(chat?.at).toBeInstanceOf(Date);
  });

  test("a content function that throws makes the double answer 500", async () => {
    double.setBehavior("llama3.1:8b", { kind: "reply", content: echoDraftFromPrompt });
    const err = await rejectionOf(
      client.chat({ model: "llama3.1:8b", messages: [{ role: "user", content: "hi" }] }),
    );
    expect(err).toMatchObject({ name: "ResponseError", status_code: 500 });
    expect(err.message).toContain("no ```json block");
  });

  test("the OpenAI-compatible endpoint streams server-sent events with usage last", async () => {
    const res = await fetch(`${double.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({
        model: "qwen2.5:3b",
        messages: draftMessages,
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    const data = await sseData(res);
    expect(data.at(-1)).toBe("[DONE]");
    const last = JSON.parse(data.at(-2) ?? "{}");
    expect(last.choices).toEqual([]);
    expect(last.usage.completion_tokens).toBe(Math.ceil("Hello from the model double.".length / 4));
  });

  test("the OpenAI-compatible endpoint replies with a chat.completion and usage", async () => {
    const post = (body: unknown) =>
      fetch(`${double.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify(body) });
    const res = await post({
      model: "llama3.1:8b",
      messages: draftMessages,
      response_format: { type: "json_object" },
    });
    const completion = await res.json();
    expect(completion).toMatchObject({ object: "chat.completion", model: "llama3.1:8b" });
    expect(JSON.parse(completion.choices[0].message.content)).toEqual(expectedDraft);
    expect(completion.usage.total_tokens).toBe(
      completion.usage.prompt_tokens + completion.usage.completion_tokens,
    );
    const missing = await post({ model: "nope", messages: draftMessages });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: {
        message: 'model "nope" not found, try pulling it first',
        type: "api_error",
        param: null,
        code: null,
      },
    });
  });
});

describe("OpenAI-compatible double", () => {
  let double: OpenAiDouble;

  beforeEach(async () => {
    double = await startOpenAiDouble({ keys: [OPENAI_DOUBLE_KEY, "sk-second"] });
  });
  afterEach(() => double.stop());

  const call = (body: unknown, key: string | null = OPENAI_DOUBLE_KEY, path = "/v1/chat/completions") =>
    fetch(`${double.url}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      },
      body: JSON.stringify(body),
    });
  const ask = { model: "gpt-4o-mini", messages: draftMessages };

  test("replies with a standard chat.completion and its usage", async () => {
    const res = await call({ ...ask, response_format: { type: "json_object" } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-/),
      object: "chat.completion",
      created: expect.any(Number),
      model: "gpt-4o-mini",
      choices: [{ index: 0, message: { role: "assistant" }, finish_reason: "stop" }],
    });
    expect(JSON.parse(body.choices[0].message.content)).toEqual(expectedDraft);
    const { prompt_tokens, completion_tokens, total_tokens } = body.usage;
    expect(completion_tokens).toBe(Math.ceil(body.choices[0].message.content.length / 4));
    expect(total_tokens).toBe(prompt_tokens + completion_tokens);
  });

  test("accepts any base path ending in /chat/completions, and 404s others", async () => {
    expect((await call(ask, OPENAI_DOUBLE_KEY, "/openai/v1/chat/completions")).status).toBe(200);
    expect((await call(ask, OPENAI_DOUBLE_KEY, "/api/v1/chat/completions")).status).toBe(200);
    expect((await call(ask, OPENAI_DOUBLE_KEY, "/v1/completions")).status).toBe(404);
  });

  test("401 for a missing, wrong or revoked key; the log keeps whether it matched, not the key", async () => {
    expect((await call(ask, null)).status).toBe(401);
    const wrong = await call(ask, "sk-wrong");
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      error: {
        message: "Incorrect API key provided",
        type: "invalid_request_error",
        param: null,
        code: "invalid_api_key",
      },
    });
    expect((await call(ask, "sk-second")).status).toBe(200);
    double.revokeKey("sk-second");
    expect((await call(ask, "sk-second")).status).toBe(401);
    expect(double.requests.map((r) => r.auth)).toEqual(["missing", "invalid", "valid", "invalid"]);
    expect(double.requests.map((r) => r.status)).toEqual([401, 401, 200, 401]);
    expect(JSON.stringify(double.requests)).not.toContain("sk-");
    expect(double.requests[2]?.headers.authorization).toBe("<redacted>");
  });

  test.each([
    ["max_tokens", 7],
    ["max_completion_tokens", 3],
  ])("%s caps completion tokens and finishes with length", async (field, cap) => {
    const body = await (
      await call({ ...ask, response_format: { type: "json_object" }, [field]: cap })
    ).json();
    expect(body.usage.completion_tokens).toBe(cap);
    expect(body.choices[0].finish_reason).toBe("length");
    expect(body.choices[0].message.content).toHaveLength(cap * 4);
  });

  test.each([
    [
      "new_model",
      { max_tokens: 10 },
      {
        message:
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        type: "invalid_request_error",
        param: "max_tokens",
        code: "unsupported_parameter",
      },
    ],
    [
      "new_model",
      { max_completion_tokens: 10, temperature: 0.2 },
      { param: "temperature", code: "unsupported_value" },
    ],
    [
      "old_server",
      { max_completion_tokens: 10 },
      {
        message: "Unrecognized request argument supplied: max_completion_tokens",
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    ],
    [
      "old_server",
      { max_tokens: 10, response_format: { type: "json_schema", json_schema: { name: "d", schema: {} } } },
      {
        message: expect.stringMatching(/^Invalid parameter: 'response_format' of type 'json_schema'/),
        param: null,
      },
    ],
    [
      "current",
      { response_format: { type: "json_object" }, messages: [{ role: "user", content: "hi" }] },
      { message: expect.stringContaining("must contain the word 'json'"), param: "messages" },
    ],
    [
      "current",
      {
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "d",
            strict: true,
            schema: { type: "object", properties: { a: { type: "string" } } },
          },
        },
      },
      { message: expect.stringContaining("'additionalProperties' is required"), param: "response_format" },
    ],
  ] as const)("dialect %s refuses %j with a 400 in the real error shape", async (dialect, extra, error) => {
    double.setDialect(dialect);
    const res = await call({ ...ask, ...extra });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.objectContaining(error) });
  });

  test("each dialect takes the shape it knows; lenient caps by max_tokens only", async () => {
    double.setDialect("new_model");
    expect((await call({ ...ask, max_completion_tokens: 5 })).status).toBe(200);
    double.setDialect("old_server");
    expect((await call({ ...ask, max_tokens: 5, response_format: { type: "json_object" } })).status).toBe(
      200,
    );
    double.setDialect("lenient");
    const ignored = await (await call({ ...ask, max_completion_tokens: 5 })).json();
    expect(ignored.usage.completion_tokens).toBeGreaterThan(5);
    const capped = await (await call({ ...ask, max_tokens: 5 })).json();
    expect(capped.usage.completion_tokens).toBe(5);
  });

  test("forced token counts are still capped by max_tokens", async () => {
    double.setBehavior("gpt-4o-mini", { kind: "reply", promptTokens: 1000, completionTokens: 500 });
    const body = await (await call({ ...ask, max_tokens: 100 })).json();
    expect(body.usage).toEqual({ prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 });
  });

  test("rate_limit: 429 with Retry-After and code rate_limit_exceeded", async () => {
    double.setBehavior("*", { kind: "rate_limit", retryAfterSeconds: 2 });
    const res = await call(ask);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("2");
    expect((await res.json()).error).toMatchObject({ code: "rate_limit_exceeded", type: "requests" });
  });

  test("insufficient_quota: 429 with code and type insufficient_quota", async () => {
    double.setBehavior("gpt-4o-mini", { kind: "insufficient_quota" });
    const res = await call(ask);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBeNull();
    expect((await res.json()).error).toMatchObject({
      code: "insufficient_quota",
      type: "insufficient_quota",
    });
  });

  test("usage_missing: a 200 reply without usage", async () => {
    double.setBehavior("gpt-4o-mini", { kind: "usage_missing" });
    const res = await call(ask);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.choices[0].message.content).toBe("Hello from the model double.");
    expect("usage" in body).toBe(false);
  });

  test("error: a 5xx with an OpenAI error body, then a queued success", async () => {
    double.setBehavior("gpt-4o-mini", { kind: "error", status: 503 });
    double.queueBehaviors("gpt-4o-mini", { kind: "reply", content: "fine" });
    expect((await call(ask)).status).toBe(200);
    const res = await call(ask);
    expect(res.status).toBe(503);
    expect((await res.json()).error.type).toBe("server_error");
  });

  test("unknown model is a 404 when the double knows its models", async () => {
    const strict = await startOpenAiDouble({ models: ["gpt-4o-mini"] });
    try {
      const res = await fetch(`${strict.baseUrl}/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${OPENAI_DOUBLE_KEY}` },
        body: JSON.stringify({ ...ask, model: "gpt-9" }),
      });
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe("model_not_found");
    } finally {
      await strict.stop();
    }
  });

  test("streams with include_usage: usage only on the last chunk before [DONE]", async () => {
    const res = await call({
      ...ask,
      response_format: { type: "json_object" },
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const data = await sseData(res);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    const last = chunks.at(-1);
    expect(last.choices).toEqual([]);
    expect(last.usage.total_tokens).toBe(last.usage.prompt_tokens + last.usage.completion_tokens);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.usage).toBeNull();
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(JSON.parse(content)).toEqual(expectedDraft);
    expect(chunks.at(-2).choices[0].finish_reason).toBe("stop");
  });

  test("streams without include_usage carry no usage at all", async () => {
    const data = await sseData(await call({ ...ask, stream: true }));
    expect(data.at(-1)).toBe("[DONE]");
    expect(data.slice(0, -1).some((d) => "usage" in JSON.parse(d))).toBe(false);
  });

  test("cut_stream: some chunks, then the stream ends without usage or [DONE]", async () => {
    double.setBehavior("gpt-4o-mini", { kind: "cut_stream" });
    const data = await sseData(await call({ ...ask, stream: true, stream_options: { include_usage: true } }));
    expect(data.length).toBeGreaterThan(1);
    expect(data).not.toContain("[DONE]");
    expect(data.map((d) => JSON.parse(d)).every((c) => c.usage === null)).toBe(true);
  });

  test("hang never answers; an aborted call is recorded as aborted", async () => {
    double.setBehavior("gpt-4o-mini", { kind: "hang" });
    const err = await rejectionOf(
      fetch(`${double.baseUrl}/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${OPENAI_DOUBLE_KEY}` },
        body: JSON.stringify(ask),
        signal: AbortSignal.timeout(100),
      }),
    );
    expect(err.name).toBe("TimeoutError");
    await double.idle();
    expect(double.requests[0]).toMatchObject({ auth: "valid", aborted: true });
  });
});
