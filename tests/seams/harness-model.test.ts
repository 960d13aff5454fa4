/**
 * Seam harness ↔ model: real ticks (`runTick`) over the sample feeds, with the real `ollama`
 * client talking over loopback to the Ollama double. A broken primary hands over to the
 * fallback, the trace names the model, the reason and the hand-over, and the digest lands.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type OllamaDouble,
  ollamaPresets,
  startOllamaDouble,
} from "../../src/evidence/doubles/ollama-double.ts";
import { runTick } from "../../src/harness/tick.ts";
import { costOf, shadowPrices } from "../../src/models/calls.ts";
import { callsOf, eventsNamed, type Home, harnessFor, makeHome, traceOf } from "../models/fixtures.ts";

let ollama: OllamaDouble;
let home: Home | undefined;

beforeAll(async () => {
  ollama = await startOllamaDouble();
});
afterAll(async () => {
  await ollama.stop();
});
afterEach(() => {
  ollama.setBehavior("llama3.1:8b", undefined);
  ollama.setBehavior("qwen2.5:3b", undefined);
  ollama.pull("llama3.1:8b");
  ollama.pull("qwen2.5:3b");
  home?.cleanup();
  home = undefined;
});

/** Chat requests the double received for `model` since `from`. */
const chatsFor = (model: string, from = 0) =>
  ollama.requests
    .slice(from)
    .filter((r) => r.path === "/api/chat" && (r.body as { model?: string } | undefined)?.model === model);

const slot = new Date("2026-11-24T07:00:00Z");

function setUp(primary: string, extra: string[] = []): Home {
  home = makeHome({
    models: [
      `{ id: primary, kind: ollama, model: "llama3.1:8b", ${primary} }`,
      '{ id: fallback, kind: ollama, model: "qwen2.5:3b", retries: 0 }',
      ...extra,
      "{ id: extractive, kind: extractive }",
    ],
    env: { OLLAMA_HOST: ollama.url },
  });
  return home;
}

describe("seam harness ↔ model", () => {
  test("a healthy primary writes the digest: status ok, tokens and shadow cost recorded", async () => {
    const h = setUp("retries: 0", [
      '{ id: paid, kind: openai, base_url: "http://127.0.0.1:9/v1", model: "gpt-4o-mini", api_key_env: NO_SUCH_KEY, usd_per_mtok_in: 0.15, usd_per_mtok_out: 0.6 }',
    ]);
    const from = ollama.requests.length;
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));

    expect(s.status).toBe("ok");
    expect(s.model).toBe("primary");
    const md = readFileSync(join(h.dir, s.outPath ?? "missing"), "utf8");
    expect(md).toContain("written by primary (llama3.1:8b)");
    expect(md).toContain("# Digest: ");
    const sent = chatsFor("llama3.1:8b", from);
    expect(sent).toHaveLength(1);
    expect((sent[0]?.body as { format?: unknown } | undefined)?.format).toMatchObject({ type: "object" });

    const [call] = callsOf(h.db, s.tickId);
    expect(call).toMatchObject({ link_id: "primary", state: "free", outcome: "ok", attempt: 1 });
    expect(call?.tokens_in).toBeGreaterThan(100);
    expect(call?.tokens_out).toBeGreaterThan(10);
    const prices = shadowPrices(h.loaded.spec);
    expect(call?.shadow_micros).toBe(costOf(prices, call?.tokens_in ?? 0, call?.tokens_out ?? 0));
    expect(call?.shadow_micros).toBeGreaterThan(0);

    const span = traceOf(h, s).find((r) => r.name === "model.call");
    expect(span?.attrs).toMatchObject({
      link: "primary",
      model: "llama3.1:8b",
      attempt: 1,
      outcome: "ok",
      tokens_in: call?.tokens_in ?? -1,
      tokens_out: call?.tokens_out ?? -1,
      shadow_micros: call?.shadow_micros ?? -1,
    });
  });

  test("primary not pulled (404): no retry, the fallback writes the digest, status degraded", async () => {
    const h = setUp("retries: 2");
    ollama.remove("llama3.1:8b");
    const from = ollama.requests.length;
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));

    expect(s.status).toBe("degraded");
    expect(s.model).toBe("fallback");
    expect(existsSync(join(h.dir, s.outPath ?? "missing"))).toBe(true);
    expect(chatsFor("llama3.1:8b", from)).toHaveLength(1);
    const [handOver] = eventsNamed(traceOf(h, s), "model.fallback");
    expect(handOver?.attrs).toMatchObject({
      from: "primary",
      from_model: "llama3.1:8b",
      to: "fallback",
      to_model: "qwen2.5:3b",
      code: "not_found",
    });
    expect(String(handOver?.attrs.reason)).toContain('model "llama3.1:8b" not found');
    expect(s.reason).toContain("fallback primary → fallback (not_found");
    expect(readFileSync(join(h.dir, s.outPath ?? ""), "utf8")).toContain("written by fallback (qwen2.5:3b)");
  });

  test("primary failing (500): one bounded retry, then the fallback, status degraded", async () => {
    const h = setUp("retries: 1");
    ollama.setBehavior("llama3.1:8b", ollamaPresets.loadTimeout);
    const from = ollama.requests.length;
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));

    expect(s.status).toBe("degraded");
    expect(s.model).toBe("fallback");
    expect(chatsFor("llama3.1:8b", from)).toHaveLength(2);
    const trace = traceOf(h, s);
    const attempts = trace.filter((r) => r.name === "model.call" && r.attrs.link === "primary");
    expect(attempts.map((a) => [a.attrs.attempt, a.attrs.outcome])).toEqual([
      [1, "http_5xx"],
      [2, "http_5xx"],
    ]);
    expect(eventsNamed(trace, "model.retry")[0]?.attrs).toMatchObject({ link: "primary", code: "http_5xx" });
    const [handOver] = eventsNamed(trace, "model.fallback");
    expect(handOver?.attrs).toMatchObject({ from: "primary", to: "fallback", code: "http_5xx" });
    expect(String(handOver?.attrs.reason)).toContain("timed out waiting for llama runner to start");
    expect(callsOf(h.db, s.tickId).map((c) => [c.link_id, c.attempt, c.outcome])).toEqual([
      ["primary", 1, "http_5xx"],
      ["primary", 2, "http_5xx"],
      ["fallback", 1, "ok"],
    ]);
  });

  test("primary hanging: its timeout cuts the call, the fallback writes the digest, status degraded", async () => {
    const h = setUp("timeout_s: 0.3, retries: 0");
    ollama.setBehavior("llama3.1:8b", { kind: "hang" });
    const from = ollama.requests.length;
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));

    expect(s.status).toBe("degraded");
    expect(s.model).toBe("fallback");
    const [hung] = chatsFor("llama3.1:8b", from);
    await ollama.idle();
    expect(hung?.aborted).toBe(true);
    const [handOver] = eventsNamed(traceOf(h, s), "model.fallback");
    expect(handOver?.attrs).toMatchObject({ from: "primary", to: "fallback", code: "timeout" });
    const [call] = callsOf(h.db, s.tickId);
    expect(call).toMatchObject({ link_id: "primary", outcome: "timeout", tokens_in: null, tokens_out: null });
  });

  test("primary answering text that is not JSON: no retry, the fallback writes the digest", async () => {
    const h = setUp("retries: 2");
    ollama.setBehavior("llama3.1:8b", { kind: "not_json" });
    const from = ollama.requests.length;
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));

    expect(s.status).toBe("degraded");
    expect(chatsFor("llama3.1:8b", from)).toHaveLength(1);
    const trace = traceOf(h, s);
    expect(eventsNamed(trace, "draft.rejected")[0]?.attrs.reason).toContain("not JSON");
    expect(eventsNamed(trace, "model.fallback")[0]?.attrs).toMatchObject({ code: "invalid_draft" });
    // The model did answer: its tokens are known even though the draft was thrown away.
    expect(callsOf(h.db, s.tickId)[0]?.tokens_out).toBeGreaterThan(0);
  });

  test("both models down: extractive writes the digest, value still lands", async () => {
    const h = setUp("retries: 0");
    ollama.remove("llama3.1:8b");
    ollama.setBehavior("qwen2.5:3b", ollamaPresets.serverBusy);
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));

    expect(s.status).toBe("degraded");
    expect(s.model).toBe("extractive");
    expect(s.valueMicros).toBe(2_500_000);
    expect(s.fallbacks.map((f) => [f.from, f.to])).toEqual([
      ["primary", "fallback"],
      ["fallback", "extractive"],
    ]);
    expect(s.fallbacks[1]?.reason).toContain("busy: 503");
  });

  test("a cached prompt's missing prompt_eval_count is recorded as unknown (NULL), not zero", async () => {
    const h = setUp("retries: 0");
    ollama.setBehavior("llama3.1:8b", { kind: "reply", cachedPrompt: true });
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));

    expect(s.status).toBe("ok");
    const [call] = callsOf(h.db, s.tickId);
    expect(call?.tokens_in).toBeNull();
    expect(call?.tokens_out).toBeGreaterThan(0);
  });
});
