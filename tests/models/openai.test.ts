import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import {
  OPENAI_DOUBLE_KEY,
  type OpenAiDouble,
  startOpenAiDouble,
} from "../../src/evidence/doubles/openai-double.ts";
import { inputTokenBound, worstCaseInputTokens, worstCaseTickMicros } from "../../src/models/budget.ts";
import { synthesize } from "../../src/models/chain.ts";
import { defaultLinkCallers } from "../../src/models/link-callers.ts";
import { redactSecrets, retryAfterMs } from "../../src/models/openai-http.ts";
import { buildMessages } from "../../src/models/prompt.ts";
import { tierOff } from "../../src/models/state.ts";
import type { FeedItem } from "../../src/sources/types.ts";
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
  paid.setBehavior("*", undefined);
  home?.cleanup();
  home = undefined;
});

function setUp(link: string, env: Record<string, string> = { PAID_KEY: OPENAI_DOUBLE_KEY }): Home {
  home = makeHome({
    models: [
      `{ id: paid, kind: openai, base_url: "${paid.baseUrl}/", model: "gpt-4o-mini", api_key_env: PAID_KEY, ${link} }`,
      "{ id: extractive, kind: extractive }",
    ],
    env,
  });
  return home;
}

const PRICED = "usd_per_mtok_in: 0.15, usd_per_mtok_out: 0.6, max_output_tokens: 800";

async function synth(h: Home) {
  const { ctx, records } = chainFor(h);
  const from = paid.requests.length;
  const result = await synthesize({ candidates: candidates(4), title: "t" }, ctx, defaultLinkCallers);
  return { result, records, calls: callsOf(h.db, ctx.tickId), sent: paid.requests.slice(from) };
}

describe("the paid link", () => {
  test("sends one plain request: the key as a bearer, max_completion_tokens from the spec, a strict JSON schema, no streaming", async () => {
    const h = setUp(PRICED);
    const { result, sent, calls, records } = await synth(h);
    expect(result.link.id).toBe("paid");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      auth: "valid",
      status: 200,
    });
    expect(sent[0]?.body).toMatchObject({
      model: "gpt-4o-mini",
      max_completion_tokens: 800,
      stream: false,
      response_format: { type: "json_schema", json_schema: { name: "digest_draft", strict: true } },
    });
    expect(sent[0]?.body).not.toHaveProperty("max_tokens");
    const [call] = calls;
    expect(call).toMatchObject({ state: "settled", outcome: "ok", attempt: 1 });
    expect(call?.cost_micros).toBe(
      Math.ceil((call?.tokens_in ?? 0) * 0.15) + Math.ceil((call?.tokens_out ?? 0) * 0.6),
    );
    expect(records.find((r) => r.name === "model.call")?.attrs).toMatchObject({
      link: "paid",
      model: "gpt-4o-mini",
      attempt: 1,
      outcome: "ok",
      state: "settled",
      cost_micros: call?.cost_micros ?? -1,
      tokens_in: call?.tokens_in ?? -1,
      reserved_micros: call?.reserved_micros ?? -1,
    });
  });

  test("a reply without usage is charged the full reservation", async () => {
    const h = setUp(PRICED);
    paid.setBehavior("*", { kind: "usage_missing" });
    const { result, calls } = await synth(h);
    expect(result.link.id).toBe("paid");
    expect(calls[0]).toMatchObject({ state: "charged_full", tokens_in: null, tokens_out: null });
    expect(calls[0]?.cost_micros).toBe(calls[0]?.reserved_micros ?? -1);
  });

  test("a reply cut in the middle is charged in full and retried as its own attempt", async () => {
    const h = setUp(`${PRICED}, retries: 1`);
    paid.queueBehaviors("gpt-4o-mini", { kind: "cut_stream" });
    const { result, calls } = await synth(h);
    expect(result.link.id).toBe("paid");
    expect(calls.map((c) => [c.attempt, c.state, c.outcome])).toEqual([
      [1, "charged_full", "bad_reply"],
      [2, "settled", "ok"],
    ]);
    expect(calls[0]?.cost_micros).toBe(calls[0]?.reserved_micros ?? -1);
  });

  test("a hanging provider is cut by timeout_s and charged in full", async () => {
    const h = setUp(`${PRICED}, timeout_s: 0.3, retries: 0`);
    paid.setBehavior("*", { kind: "hang" });
    const { result, calls } = await synth(h);
    await paid.idle();
    expect(result.link.id).toBe("extractive");
    expect(calls[0]).toMatchObject({ state: "charged_full", outcome: "timeout" });
  });

  test("a 429 rate limit is retried after its Retry-After; each attempt is its own call row", async () => {
    const h = setUp(`${PRICED}, retries: 1`);
    paid.queueBehaviors("gpt-4o-mini", { kind: "rate_limit", retryAfterSeconds: 0 });
    const { result, calls, sent, records } = await synth(h);
    expect(result.link.id).toBe("paid");
    expect(sent.map((r) => r.status)).toEqual([429, 200]);
    expect(calls.map((c) => [c.attempt, c.state, c.cost_micros === 0, c.outcome])).toEqual([
      [1, "settled", true, "rate_limit"],
      [2, "settled", false, "ok"],
    ]);
    expect(eventsNamed(records, "model.retry")[0]?.attrs).toMatchObject({
      code: "rate_limit",
      retry_after: true,
      wait_ms: 0,
    });
  });

  test("a Retry-After longer than the tick can wait: the chain moves on at once", async () => {
    const h = setUp(`${PRICED}, retries: 3`);
    paid.setBehavior("*", { kind: "rate_limit", retryAfterSeconds: 3600 });
    const { result, sent, records } = await synth(h);
    expect(result.link.id).toBe("extractive");
    expect(sent).toHaveLength(1);
    expect(eventsNamed(records, "model.retry_skipped")[0]?.attrs).toMatchObject({ wait_ms: 3_600_000 });
  });

  test("429 insufficient_quota switches the tier off for the rest of the day", async () => {
    const h = setUp(PRICED);
    paid.setBehavior("*", { kind: "insufficient_quota" });
    const first = await synth(h);
    expect(first.result.link.id).toBe("extractive");
    expect(eventsNamed(first.records, "model.tier_disabled")[0]?.attrs).toMatchObject({ code: "quota" });
    expect(tierOff(h.db, "paid", "2026-11-24")).toMatchObject({ code: "quota" });
    const second = await synth(h);
    expect(second.sent).toHaveLength(0);
    expect(second.result.fallbacks[0]?.reason).toContain("tier_disabled");
  });

  test("an answer that fails validation is paid for, and hands over", async () => {
    const h = setUp(PRICED);
    paid.setBehavior("*", { kind: "reply", content: "Here you go: not JSON" });
    const { result, calls } = await synth(h);
    expect(result.link.id).toBe("extractive");
    expect(calls[0]).toMatchObject({ state: "settled", outcome: "invalid_draft" });
    expect(calls[0]?.cost_micros).toBeGreaterThan(0);
  });

  test("a price the spec does not give: the tier is refused, nothing is sent (fail closed)", async () => {
    const h = setUp("usd_per_mtok_out: 0.6");
    const { result, sent, calls, records } = await synth(h);
    expect(result.link.id).toBe("extractive");
    expect(sent).toHaveLength(0);
    expect(calls.filter((c) => c.kind === "openai")).toEqual([]);
    expect(eventsNamed(records, "model.refused")[0]?.attrs).toMatchObject({ link: "paid", code: "no_price" });
  });

  test("a key variable that is not set: refused with a clear trace event, nothing is sent", async () => {
    const h = setUp(PRICED, {});
    const { result, sent, records } = await synth(h);
    expect(result.link.id).toBe("extractive");
    expect(sent).toHaveLength(0);
    expect(eventsNamed(records, "model.refused")[0]?.attrs).toMatchObject({
      code: "no_key",
      reason: "PAID_KEY is not set",
    });
  });
});

describe("budget arithmetic", () => {
  test("the tick's worst case bounds the reservation of the largest prompt the spec allows", () => {
    const h = setUp(PRICED);
    const spec = h.loaded.spec;
    const huge: FeedItem[] = candidates(spec.triage.max_items).map((c, i) => ({
      ...c,
      title: "標".repeat(1000),
      sourceName: "源".repeat(500),
      summary: "é".repeat(5000),
      link: `https://example.test/${"x".repeat(250)}/${i}`,
    }));
    const bound = inputTokenBound(buildMessages(spec.name, huge, spec.digest.summary_max_chars));
    expect(bound).toBeLessThanOrEqual(worstCaseInputTokens(spec));
    const once = Math.ceil(worstCaseInputTokens(spec) * 0.15) + Math.ceil(800 * 0.6);
    expect(worstCaseTickMicros(spec)).toBe(once * 2);
  });

  test("the input bound is the UTF-8 byte count plus the chat template's framing", () => {
    const msgs = [{ role: "user" as const, content: "héllo" }];
    expect(inputTokenBound(msgs)).toBe(6 + 8 + 16);
  });

  test("Retry-After is read as ms, seconds or a date", () => {
    const now = new Date("2026-11-24T07:00:00Z");
    expect(retryAfterMs(new Headers({ "retry-after-ms": "250", "retry-after": "9" }), now)).toBe(250);
    expect(retryAfterMs(new Headers({ "retry-after": "2" }), now)).toBe(2000);
    expect(retryAfterMs(new Headers({ "retry-after": "Tue, 24 Nov 2026 07:00:30 GMT" }), now)).toBe(30_000);
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });

  test("a provider message that echoes a key is redacted", () => {
    const msg = "Incorrect API key provided: sk-proj-abc123XYZ. Auth: Bearer sk-proj-abc123XYZ";
    const out = redactSecrets(msg, "sk-proj-abc123XYZ");
    expect(out).not.toContain("abc123");
    expect(redactSecrets("key sk-live-998877665544 leaked", "other-key")).toBe("key sk-[redacted] leaked");
  });
});
