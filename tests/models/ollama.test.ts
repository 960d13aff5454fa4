import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { type OllamaDouble, startOllamaDouble } from "../../src/evidence/doubles/ollama-double.ts";
import { synthesize } from "../../src/models/chain.ts";
import { draftJsonSchema } from "../../src/models/draft.ts";
import { defaultLinkCallers } from "../../src/models/link-callers.ts";
import { DEFAULT_OLLAMA_HOST, ollamaHost } from "../../src/models/ollama.ts";
import { callsOf, candidates, chainFor, eventsNamed, type Home, makeHome } from "./fixtures.ts";

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
  home?.cleanup();
  home = undefined;
});

function setUp(link: string): Home {
  home = makeHome({
    models: [
      `{ id: primary, kind: ollama, model: "llama3.1:8b", ${link} }`,
      "{ id: extractive, kind: extractive }",
    ],
    env: { OLLAMA_HOST: ollama.url },
  });
  return home;
}

async function synth(h: Home) {
  const { ctx, records } = chainFor(h);
  const from = ollama.requests.length;
  const result = await synthesize({ candidates: candidates(4), title: "t" }, ctx, defaultLinkCallers);
  return { result, records, calls: callsOf(h.db, ctx.tickId), sent: ollama.requests.slice(from) };
}

describe("the Ollama link", () => {
  test("the host comes from OLLAMA_HOST, else the default", () => {
    expect(ollamaHost({ OLLAMA_HOST: "http://gpu-box:11434" })).toBe("http://gpu-box:11434");
    expect(ollamaHost({ OLLAMA_HOST: "" })).toBe(DEFAULT_OLLAMA_HOST);
    expect(ollamaHost({})).toBe("http://127.0.0.1:11434");
  });

  test("asks for a non-streamed reply constrained by the draft's JSON schema", async () => {
    const h = setUp("retries: 0");
    const { result, sent } = await synth(h);
    expect(result.link.id).toBe("primary");
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toMatchObject({ model: "llama3.1:8b", stream: false, format: draftJsonSchema });
  });

  test("a model still loading within timeout_s is waited for", async () => {
    const h = setUp("timeout_s: 5, retries: 0");
    ollama.setBehavior("llama3.1:8b", { kind: "cold_load", ms: 150 });
    const { result } = await synth(h);
    expect(result.link.id).toBe("primary");
  });

  test("a cold load longer than timeout_s is a timeout, and the request is cancelled", async () => {
    const h = setUp("timeout_s: 0.2, retries: 0");
    ollama.setBehavior("llama3.1:8b", { kind: "cold_load", ms: 30_000 });
    const { result, calls, sent } = await synth(h);
    await ollama.idle();
    expect(result.link.id).toBe("extractive");
    expect(calls[0]?.outcome).toBe("timeout");
    expect(sent[0]?.aborted).toBe(true);
  });

  test("503 busy is retried with backoff, and the retry delivers", async () => {
    const h = setUp("retries: 1");
    ollama.queueBehaviors("llama3.1:8b", {
      kind: "error",
      status: 503,
      message: "server busy, please try again.  maximum pending requests exceeded",
    });
    const { result, calls, records } = await synth(h);
    expect(result.link.id).toBe("primary");
    expect(calls.map((c) => [c.attempt, c.outcome])).toEqual([
      [1, "busy"],
      [2, "ok"],
    ]);
    expect(eventsNamed(records, "model.retry")[0]?.attrs).toMatchObject({ code: "busy", wait_ms: 500 });
  });

  test("a draft that invents a link is rejected and not retried", async () => {
    const h = setUp("retries: 2");
    const invented = JSON.stringify({
      title: "Today",
      entries: [1, 2, 3].map((i) => ({ link: `https://elsewhere.test/${i}`, summary: "Something." })),
    });
    ollama.setBehavior("llama3.1:8b", { kind: "reply", content: invented });
    const { result, sent, records } = await synth(h);
    expect(result.link.id).toBe("extractive");
    expect(sent).toHaveLength(1);
    expect(eventsNamed(records, "draft.rejected")[0]?.attrs.reason).toContain(
      "link not among the candidates",
    );
  });

  test("a server that is not there is a network failure, recorded with unknown tokens", async () => {
    home = makeHome({
      models: [
        '{ id: primary, kind: ollama, model: "llama3.1:8b", retries: 0 }',
        "{ id: extractive, kind: extractive }",
      ],
      env: { OLLAMA_HOST: "http://127.0.0.1:9" },
    });
    const { result, calls } = await synth(home);
    expect(result.fallbacks[0]?.reason).toStartWith("network:");
    expect(calls[0]).toMatchObject({
      outcome: "network",
      tokens_in: null,
      tokens_out: null,
      shadow_micros: 0,
    });
  });
});
