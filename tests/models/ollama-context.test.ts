/**
 * Ollama requests fit the server: `num_ctx` holds the prompt's worst case plus the reply, and
 * `num_predict` bounds the reply, checked over real HTTP against a double that cuts a prompt's
 * front the way the real server does when it does not fit.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { Ollama } from "ollama";
import {
  type OllamaDouble,
  type RecordedRequest,
  startOllamaDouble,
} from "../../src/evidence/doubles/ollama-double.ts";
import { synthesize } from "../../src/models/chain.ts";
import { draftCharBound, NUM_CTX_FLOOR, NUM_CTX_STEP, ollamaSizing } from "../../src/models/context.ts";
import { draftJsonSchema } from "../../src/models/draft.ts";
import { draftLimits } from "../../src/models/limits.ts";
import { defaultLinkCallers } from "../../src/models/link-callers.ts";
import { buildMessages, type ChatMessage } from "../../src/models/prompt.ts";
import type { FeedItem } from "../../src/sources/types.ts";
import { candidates, chainFor, eventsNamed, type Home, makeHome } from "./fixtures.ts";

let ollama: OllamaDouble;
let home: Home | undefined;
beforeAll(async () => {
  ollama = await startOllamaDouble({ defaultNumCtx: 2048 });
});
afterAll(async () => {
  await ollama.stop();
});
afterEach(() => {
  home?.cleanup();
  home = undefined;
});

/** Twelve items as a busy feed gives them: long titles, summaries past the prompt's cut. */
function busyCandidates(n = 12): FeedItem[] {
  return Array.from({ length: n }, (_, i) => ({
    identity: `busy-${i + 1}`,
    title: `Release ${i + 1}: a long headline about what changed in the storage engine, why it matters to anyone who runs it, and what to do before upgrading`,
    link: `https://news.example.test/2026/11/24/release-${i + 1}-storage-engine-changes`,
    published: "2026-11-24T06:00:00.000Z",
    summary: `Release ${i + 1} changes how checkpoints run under load. `.repeat(14),
    sourceId: "s",
    sourceName: "Storage news",
  }));
}

function setUp(options = ""): Home {
  home = makeHome({
    models: [
      `{ id: primary, kind: ollama, model: "llama3.1:8b", retries: 0${options} }`,
      "{ id: extractive, kind: extractive }",
    ],
    env: { OLLAMA_HOST: ollama.url },
  });
  return home;
}

async function synth(h: Home, items: FeedItem[]) {
  const { ctx, records } = chainFor(h);
  const from = ollama.requests.length;
  const result = await synthesize({ candidates: items, title: "t" }, ctx, defaultLinkCallers);
  const sent = ollama.requests.slice(from).filter((r) => r.path === "/api/chat");
  return { result, records, sent };
}

const bytesOf = (messages: ChatMessage[]) =>
  messages.reduce((n, m) => n + Buffer.byteLength(m.content, "utf8"), 0);
const optionsOf = (r: RecordedRequest | undefined) =>
  (r?.body as { options?: { num_ctx?: number; num_predict?: number } } | undefined)?.options ?? {};

describe("Ollama's context window", () => {
  test("on a server with the old 2,048-token default, the request afk used to send loses its system prompt; the sized one keeps it", async () => {
    const h = setUp();
    const items = busyCandidates();
    const spec = h.loaded.spec;
    const messages = buildMessages(spec.name, items, spec.digest.summary_max_chars);

    // The old request: no num_ctx, no num_predict.
    const from = ollama.requests.length;
    await new Ollama({ host: ollama.url }).chat({
      model: "llama3.1:8b",
      messages,
      stream: false,
      format: draftJsonSchema as Record<string, unknown>,
      options: { temperature: 0.2 },
    });
    const old = ollama.requests[from]?.context;
    expect(old).toMatchObject({ numCtx: 2048, requested: false, systemKept: false });
    expect(old?.droppedTokens).toBeGreaterThan(0);

    // afk's request now.
    const { result, sent } = await synth(h, items);
    expect(result.link.id).toBe("primary");
    expect(sent).toHaveLength(1);
    const { num_ctx, num_predict } = optionsOf(sent[0]);
    expect(num_predict).toBe(draftCharBound(items, draftLimits(spec)));
    // The bound holds whatever the tokenizer: a token covers at least one UTF-8 byte.
    expect(num_ctx).toBeGreaterThanOrEqual(bytesOf(messages) + (num_predict ?? Number.NaN));
    expect((num_ctx ?? 0) % NUM_CTX_STEP).toBe(0);
    expect(sent[0]?.context).toMatchObject({
      requested: true,
      droppedTokens: 0,
      systemKept: true,
      shifted: false,
    });
  });

  test("a small prompt gets the floor, not less than today's server default", async () => {
    const h = setUp();
    const { sent } = await synth(h, candidates(4));
    expect(optionsOf(sent[0])).toMatchObject({ num_ctx: NUM_CTX_FLOOR });
    expect(optionsOf(sent[0]).num_predict).toBe(draftCharBound(candidates(4), draftLimits(h.loaded.spec)));
  });

  test("num_ctx and num_predict from the spec are sent as given", async () => {
    const h = setUp(", num_ctx: 32768, num_predict: 3000");
    const { sent, records } = await synth(h, busyCandidates());
    expect(optionsOf(sent[0])).toMatchObject({ num_ctx: 32768, num_predict: 3000, temperature: 0.2 });
    expect(eventsNamed(records, "model.context_short")).toEqual([]);
    expect(records.find((r) => r.name === "model.call")?.attrs).toMatchObject({
      num_ctx: 32768,
      num_predict: 3000,
    });
  });

  test("a spec num_ctx too small for the prompt is sent, and the trace says the prompt may be cut", async () => {
    const h = setUp(", num_ctx: 2048, num_predict: 512");
    const { sent, records } = await synth(h, busyCandidates());
    const [warning] = eventsNamed(records, "model.context_short");
    expect(warning?.attrs).toMatchObject({ link: "primary", num_ctx: 2048, num_predict: 512 });
    expect(Number(warning?.attrs.prompt_bound)).toBeGreaterThan(2048);
    // What the warning is about: the server cut the system prompt.
    expect(sent[0]?.context).toMatchObject({ numCtx: 2048, requested: true, systemKept: false });
  });

  test("the sizing rounds the prompt's bound plus the reply up to a step, and never below the floor", () => {
    const link = { id: "p", kind: "ollama" as const, model: "m", timeout_s: 1, retries: 0 };
    const limits = { minItems: 3, summaryMaxChars: 400, maxChars: 20_000 };
    const few = ollamaSizing(link, [{ role: "user", content: "hi" }], candidates(1), limits);
    expect(few).toMatchObject({ numCtx: NUM_CTX_FLOOR, fits: true });
    const long = [{ role: "user" as const, content: "é".repeat(5000) }];
    const s = ollamaSizing(link, long, candidates(4), limits);
    expect(s.promptBound).toBeGreaterThanOrEqual(10_000);
    expect(s.numCtx).toBe(Math.ceil((s.promptBound + s.numPredict) / NUM_CTX_STEP) * NUM_CTX_STEP);
    expect(ollamaSizing({ ...link, num_ctx: 8192 }, long, candidates(4), limits).fits).toBe(false);
  });
});
