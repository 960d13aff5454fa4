import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import {
  type OllamaDouble,
  ollamaPresets,
  startOllamaDouble,
} from "../../src/evidence/doubles/ollama-double.ts";
import { synthesize } from "../../src/models/chain.ts";
import { defaultLinkCallers } from "../../src/models/link-callers.ts";
import { breakerGate, breakerRow } from "../../src/models/state.ts";
import { candidates, chainFor, eventsNamed, type Home, makeHome } from "./fixtures.ts";

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

const primaryChats = (from: number) =>
  ollama.requests
    .slice(from)
    .filter((r) => (r.body as { model?: string } | undefined)?.model === "llama3.1:8b").length;

function setUp(o: Parameters<typeof makeHome>[0]): Home {
  home = makeHome(o);
  return home;
}

/** One tick's synthesis: a fresh tick row, the real chain. */
async function tick(h: Home) {
  const { ctx, records } = chainFor(h);
  const result = await synthesize({ candidates: candidates(4), title: "t" }, ctx, defaultLinkCallers);
  return { result, records };
}

describe("circuit breaker", () => {
  test("opens after N failed ticks in a row, skips the model for the cool-down, then probes it again", async () => {
    const h = setUp({
      models: [
        '{ id: primary, kind: ollama, model: "llama3.1:8b", retries: 0 }',
        "{ id: extractive, kind: extractive }",
      ],
      env: { OLLAMA_HOST: ollama.url },
      extra: "limits:\n  circuit_breaker_ticks: 2\n  circuit_cooldown_minutes: 10",
    });
    ollama.setBehavior("llama3.1:8b", ollamaPresets.loadTimeout);
    const from = ollama.requests.length;

    const first = await tick(h);
    expect(first.result.link.id).toBe("extractive");
    expect(eventsNamed(first.records, "model.circuit_opened")).toEqual([]);
    const second = await tick(h);
    expect(eventsNamed(second.records, "model.circuit_opened")[0]?.attrs).toMatchObject({
      link: "primary",
      threshold: 2,
      cooldown_minutes: 10,
    });
    expect(primaryChats(from)).toBe(2);
    expect(breakerRow(h.db, "primary", "llama3.1:8b")).toMatchObject({
      failed_ticks: 2,
      open_until: "2026-11-24T07:10:00.000Z",
      last_code: "http_5xx",
    });

    // During the cool-down the model is not called at all, even once it has recovered.
    ollama.setBehavior("llama3.1:8b", undefined);
    h.clock.advance(5 * 60_000);
    const skipped = await tick(h);
    expect(primaryChats(from)).toBe(2);
    expect(skipped.result.link.id).toBe("extractive");
    expect(eventsNamed(skipped.records, "model.skipped")[0]?.attrs).toMatchObject({
      link: "primary",
      code: "circuit_open",
    });
    expect(skipped.result.fallbacks[0]?.reason).toContain("circuit_open");

    // After it, one probe: it succeeds, and the breaker closes.
    h.clock.advance(6 * 60_000);
    const probe = await tick(h);
    expect(primaryChats(from)).toBe(3);
    expect(probe.result.link.id).toBe("primary");
    expect(eventsNamed(probe.records, "model.circuit_probe")).toHaveLength(1);
    expect(eventsNamed(probe.records, "model.circuit_closed")).toHaveLength(1);
    expect(breakerRow(h.db, "primary", "llama3.1:8b")).toMatchObject({ failed_ticks: 0, open_until: null });
  });

  test("a failed probe keeps the model out for another cool-down", async () => {
    const h = setUp({
      models: [
        '{ id: primary, kind: ollama, model: "llama3.1:8b", retries: 0 }',
        "{ id: extractive, kind: extractive }",
      ],
      env: { OLLAMA_HOST: ollama.url },
      extra: "limits:\n  circuit_breaker_ticks: 1\n  circuit_cooldown_minutes: 10",
    });
    ollama.setBehavior("llama3.1:8b", { kind: "not_json" });
    await tick(h);
    h.clock.advance(11 * 60_000);
    const probe = await tick(h);
    expect(eventsNamed(probe.records, "model.circuit_reopened")).toHaveLength(1);
    expect(breakerRow(h.db, "primary", "llama3.1:8b")).toMatchObject({
      failed_ticks: 2,
      open_until: "2026-11-24T07:21:00.000Z",
      last_code: "invalid_draft",
    });
  });

  test("a success before the threshold resets the count", async () => {
    const h = setUp({
      models: [
        '{ id: primary, kind: ollama, model: "llama3.1:8b", retries: 0 }',
        "{ id: extractive, kind: extractive }",
      ],
      env: { OLLAMA_HOST: ollama.url },
      extra: "limits:\n  circuit_breaker_ticks: 2",
    });
    ollama.queueBehaviors("llama3.1:8b", { kind: "not_json" });
    await tick(h);
    expect(breakerRow(h.db, "primary", "llama3.1:8b")?.failed_ticks).toBe(1);
    await tick(h);
    expect(breakerRow(h.db, "primary", "llama3.1:8b")?.failed_ticks).toBe(0);
  });

  test("the gate reads the row against the clock", () => {
    const row = {
      link_id: "p",
      model: "m",
      failed_ticks: 3,
      open_until: "2026-11-24T08:00:00.000Z",
      last_code: "timeout",
      last_reason: "t",
      updated_at: "2026-11-24T07:00:00.000Z",
    };
    expect(breakerGate(null, new Date("2026-11-24T07:30:00Z"), 3)).toEqual({ state: "closed" });
    expect(breakerGate({ ...row, failed_ticks: 2 }, new Date("2026-11-24T07:30:00Z"), 3)).toEqual({
      state: "closed",
    });
    expect(breakerGate(row, new Date("2026-11-24T07:30:00Z"), 3)).toMatchObject({ state: "open" });
    expect(breakerGate(row, new Date("2026-11-24T08:00:00Z"), 3)).toEqual({ state: "probe", failedTicks: 3 });
  });
});
