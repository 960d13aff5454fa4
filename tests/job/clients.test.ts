/**
 * Jobs written with the clients a learner uses — the official `openai` and `ollama` npm
 * packages and Python's `urllib` — run as real child processes against the tick's proxy, with
 * the Ollama and OpenAI doubles as upstream: every call is reserved and settled (or recorded
 * free with its shadow cost), a call over the cap is refused in each API's own error shape,
 * and the real paid key stays with afk.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { tokenCost } from "../../src/core/money.ts";
import { ollamaPresets } from "../../src/evidence/doubles/ollama-double.ts";
import { runTick } from "../../src/harness/tick.ts";
import { callsOf, eventsNamed, type Home, harnessFor, traceOf } from "../models/fixtures.ts";
import { polled } from "../support/poll.ts";
import { doublesHome, unitText, useDoubles } from "./helpers.ts";

const JOBS = join(import.meta.dir, "jobs");
const slot = new Date("2026-11-24T07:00:00Z");
const doubles = useDoubles();
let home: Home | undefined;
afterEach(() => {
  doubles.ollama.setBehavior("llama3.1:8b", undefined);
  home?.cleanup();
  home = undefined;
});

function jobHome(run: string[]): Home {
  home = doublesHome(doubles, run);
  return home;
}

describe("the official openai client through the proxy", () => {
  test("a paid call is reserved, forwarded with the real key and the request's max tokens, and settled on its usage", async () => {
    const h = jobHome(["bun", join(JOBS, "openai-job.ts"), "gpt-4o-mini"]);
    const from = doubles.paid.requests.length;
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s.status).toBe("ok");
    const [sent, ...more] = doubles.paid.requests.slice(from);
    expect(more).toHaveLength(0);
    expect(sent?.auth).toBe("valid");
    expect(sent?.body).toMatchObject({ model: "gpt-4o-mini", max_completion_tokens: 40 });
    const [call, ...others] = callsOf(h.db, s.tickId);
    expect(others).toHaveLength(0);
    expect(call).toMatchObject({ link_id: "paid", kind: "openai", state: "settled", outcome: "replied" });
    const tokensIn = call?.tokens_in ?? 0;
    const tokensOut = call?.tokens_out ?? 0;
    expect(tokensIn).toBeGreaterThan(0);
    expect(call?.cost_micros).toBe(tokenCost(tokensIn, 0.15) + tokenCost(tokensOut, 0.6));
    expect(call?.reserved_micros).toBeGreaterThanOrEqual(call?.cost_micros ?? Infinity);
    expect(unitText(h, s.outPath)).toContain(
      `models: llama3.1:8b, gpt-4o-mini; tokens ${tokensIn}/${tokensOut}`,
    );
    const spans = traceOf(h, s).filter((r) => r.name === "proxy.request");
    expect(spans.map((r) => [r.attrs.api, r.attrs.link])).toEqual([["openai", "paid"]]);
  });

  test("a call whose worst case would cross the cap is refused with 429 insufficient_quota, once, and never sent", async () => {
    const h = jobHome(["bun", join(JOBS, "openai-job.ts"), "gpt-4o-mini"]);
    const from = doubles.paid.requests.length;
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h, { capMicros: 10 }));
    expect(s.status).toBe("failed");
    expect(s.reason).toStartWith(
      "job exited with code 4; stderr: refused: 429 insufficient_quota 429 over_budget: worst case",
    );
    expect(doubles.paid.requests.length).toBe(from);
    expect(callsOf(h.db, s.tickId)).toHaveLength(0);
    const trace = traceOf(h, s);
    // The SDK retries a 429 by itself unless told not to: the refusal says x-should-retry: false.
    expect(trace.filter((r) => r.name === "proxy.request")).toHaveLength(1);
    expect(eventsNamed(trace, "budget.refused")).toHaveLength(1);
  });

  test("four calls at once against a cap that holds two worst cases: two are forwarded, two refused, spend within the cap", async () => {
    const h = jobHome(["bun", join(JOBS, "parallel-job.ts")]);
    let release = () => {};
    doubles.paid.setBehavior("gpt-4o-mini", {
      kind: "gated",
      until: new Promise<void>((r) => {
        release = r;
      }),
    });
    const from = doubles.paid.requests.length;
    const tick = runTick({ trigger: "manual", slot, force: false }, harnessFor(h, { capMicros: 70 }));
    // Both held calls keep their reservations while the other two ask: those must not fit.
    await doubles.paid.waitForRequests(from + 2);
    await polled(() => readdirSync(h.dir).filter((f) => f.startsWith("refused-")).length >= 2);
    release();
    const s = await tick;
    doubles.paid.setBehavior("gpt-4o-mini", undefined);
    expect(s.status).toBe("ok");
    expect(doubles.paid.requests.length - from).toBe(2);
    expect(unitText(h, s.outPath)).toContain("429 insufficient_quota\n429 insufficient_quota\nok\nok");
    const calls = callsOf(h.db, s.tickId);
    expect(calls.map((c) => c.state)).toEqual(["settled", "settled"]);
    expect(calls.reduce((n, c) => n + c.reserved_micros, 0)).toBeLessThanOrEqual(70);
  });

  test("an unknown model goes to the chain's first link (here the local one)", async () => {
    const h = jobHome(["bun", join(JOBS, "openai-job.ts"), "some-model-the-spec-does-not-name"]);
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s.status).toBe("ok");
    expect(callsOf(h.db, s.tickId).map((c) => [c.link_id, c.state])).toEqual([["local", "free"]]);
  });
});

describe("the official ollama client through the proxy", () => {
  test("chat, generate, tags and version answer; local calls are free rows with their tokens and shadow cost", async () => {
    const h = jobHome(["bun", join(JOBS, "ollama-job.ts")]);
    const from = doubles.ollama.requests.length;
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s.status).toBe("ok");
    // A generate is forwarded as a generate (its prompt and system), not rewritten as a chat.
    const sent = doubles.ollama.requests.slice(from);
    expect(sent.map((r) => r.path)).toEqual(["/api/chat", "/api/generate"]);
    expect(sent[1]?.body).toMatchObject({
      model: "llama3.1:8b",
      prompt: "Name one Bun API.",
      system: "Answer in one line.",
      stream: false,
    });
    expect(sent[1]?.body).not.toHaveProperty("messages");
    const calls = callsOf(h.db, s.tickId);
    expect(calls.map((c) => [c.link_id, c.state, c.outcome])).toEqual([
      ["local", "free", "ok"],
      ["local", "free", "ok"],
    ]);
    // Settled from the generate's own prompt_eval_count and eval_count (the double's chars / 4).
    expect(calls[1]?.tokens_in).toBe(Math.ceil("Answer in one line.Name one Bun API.".length / 4));
    expect(unitText(h, s.outPath)).toContain(`eval ${calls[0]?.tokens_out}+${calls[1]?.tokens_out}`);
    for (const c of calls)
      expect(c.shadow_micros).toBe(tokenCost(c.tokens_in ?? 0, 0.15) + tokenCost(c.tokens_out ?? 0, 0.6));
    expect(unitText(h, s.outPath)).toContain("models llama3.1:8b, gpt-4o-mini");
  });

  test("a local model that fails hands over to the paid link, as the built-in chain does", async () => {
    doubles.ollama.setBehavior("llama3.1:8b", ollamaPresets.loadTimeout);
    const h = jobHome(["bun", join(JOBS, "ollama-job.ts")]);
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s.status).toBe("ok");
    expect(callsOf(h.db, s.tickId).map((c) => [c.link_id, c.state])).toEqual([
      ["local", "free"],
      ["paid", "settled"],
      ["local", "free"],
      ["paid", "settled"],
    ]);
    expect(eventsNamed(traceOf(h, s), "model.fallback")[0]?.attrs).toMatchObject({
      from: "local",
      to: "paid",
      code: "http_5xx",
    });
  });
});

describe("Python's urllib through the proxy", () => {
  test("without the tick's key the proxy answers 401; with it both APIs answer", async () => {
    const h = jobHome(["python3", join(JOBS, "urllib_job.py"), "gpt-4o-mini"]);
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s.status).toBe("ok");
    expect(eventsNamed(traceOf(h, s), "job.stderr")[0]?.attrs.tail).toBe("no key: 401");
    expect(callsOf(h.db, s.tickId).map((c) => [c.link_id, c.state])).toEqual([
      ["paid", "settled"],
      ["local", "free"],
    ]);
    expect(unitText(h, s.outPath)).toStartWith("# Python job\n");
  });
});
