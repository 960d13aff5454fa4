/**
 * The paid link's request fits the server it talks to: today's shape first
 * (`max_completion_tokens`, a strict `json_schema`), one step down for each part a server
 * refuses with a 400, learned once per process, and every request reserved and settled on its
 * own. Real HTTP on loopback to the OpenAI-compatible double in each of its dialects.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import {
  OPENAI_DOUBLE_KEY,
  type OpenAiDouble,
  startOpenAiDouble,
  strictSchemaProblem,
} from "../../src/evidence/doubles/openai-double.ts";
import {
  inputTokenBound,
  pricesOf,
  reservationMicros,
  worstCaseInputTokens,
} from "../../src/models/budget.ts";
import { type LinkCallers, synthesize } from "../../src/models/chain.ts";
import { draftJsonSchema } from "../../src/models/draft.ts";
import { createLinkCallers } from "../../src/models/link-callers.ts";
import {
  formatTokenBound,
  NEWEST_SHAPE,
  refusedPart,
  responseFormat,
  type WireShape,
} from "../../src/models/openai-shape.ts";
import { buildMessages } from "../../src/models/prompt.ts";
import type { OpenAiLinkSpec } from "../../src/spec/schema.ts";
import { callsOf, candidates, chainFor, eventsNamed, type Home, makeHome } from "./fixtures.ts";

let paid: OpenAiDouble;
let home: Home | undefined;
beforeAll(async () => {
  paid = await startOpenAiDouble();
});
afterAll(async () => {
  await paid.stop();
});
afterEach(() => {
  paid.setDialect("current");
  paid.setBehavior("*", undefined);
  home?.cleanup();
  home = undefined;
});

function setUp(extra = "max_output_tokens: 800"): Home {
  home = makeHome({
    models: [
      `{ id: paid, kind: openai, base_url: "${paid.baseUrl}", model: "gpt-5-mini", api_key_env: PAID_KEY, usd_per_mtok_in: 0.25, usd_per_mtok_out: 2, retries: 0, ${extra} }`,
      "{ id: extractive, kind: extractive }",
    ],
    env: { PAID_KEY: OPENAI_DOUBLE_KEY },
  });
  return home;
}

async function synth(h: Home, callers: LinkCallers) {
  const { ctx, records } = chainFor(h);
  const from = paid.requests.length;
  const result = await synthesize({ candidates: candidates(4), title: "t" }, ctx, callers);
  const sent = paid.requests.slice(from).map((r) => r.body as Record<string, unknown>);
  return { result, records, calls: callsOf(h.db, ctx.tickId), sent };
}

const shapeOf = (body: Record<string, unknown> | undefined) => ({
  tokens: body && "max_completion_tokens" in body ? "max_completion_tokens" : "max_tokens",
  format: (body?.response_format as { type?: string } | undefined)?.type ?? "none",
  temperature: body?.temperature ?? "default",
});

describe("the paid link's request shape", () => {
  test("a current server takes today's shape in one request, and the strict schema passes its checks", async () => {
    const h = setUp();
    const { result, sent, calls } = await synth(h, createLinkCallers());
    expect(result.link.id).toBe("paid");
    expect(sent.map(shapeOf)).toEqual([
      { tokens: "max_completion_tokens", format: "json_schema", temperature: 0.2 },
    ]);
    expect(calls.map((c) => c.outcome)).toEqual(["ok"]);
    const format = sent[0]?.response_format as { json_schema?: unknown } | undefined;
    expect(format?.json_schema).toBeDefined();
    expect(strictSchemaProblem(format?.json_schema)).toBeNull();
  });

  test("an old server refuses max_completion_tokens, then json_schema: max_tokens and json_object, each request reserved and settled on its own", async () => {
    const h = setUp();
    paid.setDialect("old_server");
    const callers = createLinkCallers();
    const { result, sent, calls, records } = await synth(h, callers);
    expect(result.link.id).toBe("paid");
    expect(result.fallbacks).toEqual([]);
    expect(sent.map(shapeOf)).toEqual([
      { tokens: "max_completion_tokens", format: "json_schema", temperature: 0.2 },
      { tokens: "max_tokens", format: "json_schema", temperature: 0.2 },
      { tokens: "max_tokens", format: "json_object", temperature: 0.2 },
    ]);
    expect(paid.requests.slice(-3).map((r) => r.status)).toEqual([400, 400, 200]);
    expect(eventsNamed(records, "model.param_fallback").map((e) => e.attrs)).toEqual([
      expect.objectContaining({
        part: "tokens",
        from: "max_completion_tokens",
        to: "max_tokens",
        status: 400,
      }),
      expect.objectContaining({ part: "format", from: "json_schema", to: "json_object", status: 400 }),
    ]);

    // Money: the refusals cost nothing; each reservation bounded its own shape's worst case.
    expect(calls.map((c) => [c.state, c.outcome, c.cost_micros === 0])).toEqual([
      ["settled", "param_refused", true],
      ["settled", "param_refused", true],
      ["settled", "ok", false],
    ]);
    const spec = h.loaded.spec;
    const messages = buildMessages(spec.name, candidates(4), spec.digest.summary_max_chars);
    const prices = pricesOf(spec.models[0] as OpenAiLinkSpec);
    if (!prices) throw new Error("the test link is priced");
    const reserved = (format: WireShape["format"]) =>
      reservationMicros(prices, inputTokenBound(messages) + formatTokenBound(format), 800);
    expect(calls.map((c) => c.reserved_micros)).toEqual([
      reserved("json_schema"),
      reserved("json_schema"),
      reserved("json_object"),
    ]);
    expect(reserved("json_schema")).toBeGreaterThan(reserved("json_object"));
    for (const c of calls) expect(c.cost_micros).toBeLessThanOrEqual(c.reserved_micros);

    // Learned for the process (the callers): the next tick sends one request in the old shape.
    const again = await synth(h, callers);
    expect(again.sent.map(shapeOf)).toEqual([
      { tokens: "max_tokens", format: "json_object", temperature: 0.2 },
    ]);
    expect(eventsNamed(again.records, "model.param_fallback")).toEqual([]);
    // Other callers (another process) start from today's shape again.
    const fresh = await synth(h, createLinkCallers());
    expect(fresh.sent).toHaveLength(3);
  });

  test("a new model refuses max_tokens and temperature: after an upgrade the learned max_tokens flips back", async () => {
    const h = setUp();
    const callers = createLinkCallers();
    paid.setDialect("old_server");
    await synth(h, callers);
    paid.setDialect("new_model");
    const { result, sent, records } = await synth(h, callers);
    expect(result.link.id).toBe("paid");
    expect(sent.map(shapeOf)).toEqual([
      { tokens: "max_tokens", format: "json_object", temperature: 0.2 },
      { tokens: "max_completion_tokens", format: "json_object", temperature: 0.2 },
      { tokens: "max_completion_tokens", format: "json_object", temperature: "default" },
    ]);
    expect(eventsNamed(records, "model.param_fallback").map((e) => [e.attrs.part, e.attrs.to])).toEqual([
      ["tokens", "max_completion_tokens"],
      ["temperature", "default"],
    ]);
    const refusal = paid.requests.at(-3);
    expect(refusal?.status).toBe(400);
  });

  test("a new model from the start: one refusal (temperature), then today's shape without it", async () => {
    const h = setUp();
    paid.setDialect("new_model");
    const { result, sent, calls } = await synth(h, createLinkCallers());
    expect(result.link.id).toBe("paid");
    expect(sent.map(shapeOf)).toEqual([
      { tokens: "max_completion_tokens", format: "json_schema", temperature: 0.2 },
      { tokens: "max_completion_tokens", format: "json_schema", temperature: "default" },
    ]);
    expect(calls.map((c) => c.outcome)).toEqual(["param_refused", "ok"]);
  });

  test("a server that ignores max_completion_tokens (output past the bound) gets max_tokens from the next request on", async () => {
    const h = setUp("max_output_tokens: 40");
    paid.setDialect("lenient");
    const callers = createLinkCallers();
    const { sent, records, calls } = await synth(h, callers);
    expect(sent.map(shapeOf)[0]).toMatchObject({ tokens: "max_completion_tokens" });
    expect(calls[0]?.tokens_out).toBeGreaterThan(40);
    expect(eventsNamed(records, "model.param_ignored")[0]?.attrs).toMatchObject({
      part: "tokens",
      to: "max_tokens",
      max_output_tokens: 40,
    });
    const again = await synth(h, callers);
    expect(again.sent.map(shapeOf)[0]).toMatchObject({ tokens: "max_tokens" });
    expect(again.calls[0]?.tokens_out).toBeLessThanOrEqual(40);
  });

  test("a 400 about something else is not taken for a refused part: no resend, the chain hands over", async () => {
    const h = setUp();
    const callers = createLinkCallers();
    paid.setBehavior("*", {
      kind: "error",
      status: 400,
      message:
        "This model's maximum context length is 128000 tokens. However, your messages resulted in 130213 tokens.",
    });
    const { result, sent, records } = await synth(h, callers);
    expect(sent).toHaveLength(1);
    expect(result.link.id).toBe("extractive");
    expect(result.fallbacks[0]?.reason).toStartWith("http_4xx:");
    expect(eventsNamed(records, "model.param_fallback")).toEqual([]);
    paid.setBehavior("*", undefined);
    const again = await synth(h, callers);
    expect(again.sent.map(shapeOf)).toEqual([
      { tokens: "max_completion_tokens", format: "json_schema", temperature: 0.2 },
    ]);
  });
});

describe("reading a refusal", () => {
  const e = (message: string, param: string | null = null, code: string | null = null) => ({
    message,
    param,
    code,
  });
  const oldShape: WireShape = { tokens: "max_tokens", format: "json_object", temperature: true };
  test.each([
    [
      "OpenAI, a new model and max_tokens",
      400,
      e(
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        "max_tokens",
        "unsupported_parameter",
      ),
      oldShape,
      "tokens",
    ],
    [
      "Azure, an older API version",
      400,
      e("Unrecognized request argument supplied: max_completion_tokens"),
      NEWEST_SHAPE,
      "tokens",
    ],
    [
      "json_schema on a model without structured outputs",
      400,
      e("Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model."),
      NEWEST_SHAPE,
      "format",
    ],
    [
      "a provider naming response_format.type",
      400,
      e(
        "The parameter `response_format.type` specified in the request are not valid: invalid value: `json_schema`",
        "response_format.type",
        "InvalidParameter",
      ),
      NEWEST_SHAPE,
      "format",
    ],
    [
      "a schema outside the strict subset",
      400,
      e(
        "Invalid schema for response_format 'digest_draft': In context=(), 'maxLength' is not permitted.",
        "response_format",
      ),
      NEWEST_SHAPE,
      "format",
    ],
    [
      "temperature on a reasoning model",
      400,
      e(
        "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.",
        "temperature",
        "unsupported_value",
      ),
      NEWEST_SHAPE,
      "temperature",
    ],
    [
      "a bound that is too large",
      400,
      e("max_tokens is too large: 90000.", "max_tokens", "invalid_value"),
      oldShape,
      null,
    ],
    ["a bad key", 401, e("Incorrect API key provided", null, "invalid_api_key"), NEWEST_SHAPE, null],
    ["a server error", 500, e("Unsupported parameter: 'max_completion_tokens'"), NEWEST_SHAPE, null],
    [
      "a format not sent",
      400,
      e("Invalid parameter: 'response_format'"),
      { ...NEWEST_SHAPE, format: "none" as const },
      null,
    ],
  ])("%s", (_what, status, error, shape, part) => {
    expect(refusedPart(status, error, shape)).toBe(part as ReturnType<typeof refusedPart>);
  });

  test("a request with the largest response format still fits the tick's worst case the cap checks before a tick", () => {
    const h = setUp();
    const spec = h.loaded.spec;
    const widest = Array.from({ length: spec.triage.max_items }, (_, i) => ({
      identity: `w${i}`,
      title: "€".repeat(400),
      link: `https://example.test/${"p".repeat(270)}/${i}`,
      published: null,
      summary: "€".repeat(spec.digest.summary_max_chars + 100),
      sourceId: "s",
      sourceName: "€".repeat(200),
    }));
    const messages = buildMessages(spec.name, widest, spec.digest.summary_max_chars);
    expect(inputTokenBound(messages) + formatTokenBound("json_schema")).toBeLessThanOrEqual(
      worstCaseInputTokens(spec),
    );
  });

  test("the strict schema is the draft's schema without what strict mode refuses", () => {
    const format = responseFormat("json_schema") as { json_schema: unknown };
    expect(strictSchemaProblem(format.json_schema)).toBeNull();
    expect(strictSchemaProblem({ name: "digest_draft", strict: true, schema: draftJsonSchema })).toContain(
      "is not permitted",
    );
  });
});
