/**
 * Streaming through the proxy (`stream: true` on both APIs) with the official clients: pieces
 * are forwarded as they come, the call is settled from the final chunk's usage, and charged in
 * full when that usage never comes (a cut stream, a provider that leaves it out).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { tokenCost } from "../../src/core/money.ts";
import { runTick } from "../../src/harness/tick.ts";
import { callsOf, eventsNamed, type Home, harnessFor, traceOf } from "../models/fixtures.ts";
import { doublesHome, unitText, useDoubles } from "./helpers.ts";

const JOB = join(import.meta.dir, "jobs", "stream-job.ts");
const slot = new Date("2026-11-24T07:00:00Z");
const doubles = useDoubles();
let home: Home | undefined;
afterEach(() => {
  doubles.paid.setBehavior("gpt-4o-mini", undefined);
  doubles.ollama.setBehavior("llama3.1:8b", undefined);
  home?.cleanup();
  home = undefined;
});

function jobHome(which: "openai" | "ollama"): Home {
  home = doublesHome(doubles, ["bun", JOB, which]);
  return home;
}

describe("streams through the proxy", () => {
  test("openai stream: forwarded as server-sent events, settled from the last chunk's usage", async () => {
    const h = jobHome("openai");
    const from = doubles.paid.requests.length;
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s.status).toBe("ok");
    expect(doubles.paid.requests.slice(from)[0]?.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 40,
    });
    const [call] = callsOf(h.db, s.tickId);
    expect(call).toMatchObject({ link_id: "paid", state: "settled", outcome: "replied" });
    const tokensIn = call?.tokens_in ?? 0;
    const tokensOut = call?.tokens_out ?? 0;
    expect(tokensOut).toBeGreaterThan(0);
    expect(call?.cost_micros).toBe(tokenCost(tokensIn, 0.15) + tokenCost(tokensOut, 0.6));
    expect(unitText(h, s.outPath)).toContain(`usage ${tokensIn}/${tokensOut}`);
    const [span] = traceOf(h, s).filter((r) => r.name === "proxy.request");
    expect([span?.status, span?.attrs.stream, span?.attrs.complete]).toEqual(["ok", true, true]);
  });

  test("openai stream whose usage never comes: charged the full reservation", async () => {
    doubles.paid.setBehavior("gpt-4o-mini", { kind: "usage_missing" });
    const h = jobHome("openai");
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s.status).toBe("ok");
    const [call] = callsOf(h.db, s.tickId);
    expect(call).toMatchObject({ state: "charged_full", outcome: "usage_missing" });
    expect(call?.cost_micros).toBe(call?.reserved_micros ?? -1);
    expect(unitText(h, s.outPath)).toContain("usage none");
  });

  test("openai stream cut before its end: charged the full reservation, the job's stream ends cut", async () => {
    doubles.paid.setBehavior("gpt-4o-mini", { kind: "cut_stream" });
    const h = jobHome("openai");
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    const [call] = callsOf(h.db, s.tickId);
    expect(call).toMatchObject({ state: "charged_full", outcome: "bad_reply" });
    expect(call?.cost_micros).toBe(call?.reserved_micros ?? -1);
    const [span] = traceOf(h, s).filter((r) => r.name === "proxy.request");
    expect(span?.status).toBe("cut");
  });

  test("ollama streams (chat and generate): NDJSON forwarded, done lines carry the counts, free rows recorded", async () => {
    const h = jobHome("ollama");
    const from = doubles.ollama.requests.length;
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s.status).toBe("ok");
    const sent = doubles.ollama.requests.slice(from);
    expect(sent.map((r) => [r.path, (r.body as { stream?: boolean }).stream])).toEqual([
      ["/api/chat", true],
      ["/api/generate", true],
    ]);
    const calls = callsOf(h.db, s.tickId);
    expect(calls.map((c) => [c.link_id, c.state, c.outcome])).toEqual([
      ["local", "free", "ok"],
      ["local", "free", "ok"],
    ]);
    expect(unitText(h, s.outPath)).toContain(`usage ${calls[0]?.tokens_in}/${calls[0]?.tokens_out}`);
  });

  test("an ollama stream whose upstream breaks before its first byte moves down the chain like a whole request", async () => {
    doubles.ollama.setBehavior("llama3.1:8b", { kind: "mid_stream_error", content: "" });
    const h = jobHome("ollama");
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    doubles.ollama.setBehavior("llama3.1:8b", undefined);
    expect(s.status).toBe("ok");
    const calls = callsOf(h.db, s.tickId);
    expect(calls.map((c) => [c.link_id, c.state, c.outcome])).toEqual([
      ["local", "free", "bad_reply"],
      ["paid", "settled", "replied"],
      ["local", "free", "bad_reply"],
      ["paid", "settled", "replied"],
    ]);
    const fallbacks = eventsNamed(traceOf(h, s), "model.fallback");
    expect(fallbacks.map((e) => [e.attrs.from, e.attrs.to, e.attrs.code])).toEqual([
      ["local", "paid", "bad_reply"],
      ["local", "paid", "bad_reply"],
    ]);
    // The paid link's stream reached the job in the Ollama dialect it asked in, counts on the done line.
    expect(unitText(h, s.outPath)).toContain(`usage ${calls[1]?.tokens_in}/${calls[1]?.tokens_out}`);
  });

  test("a job that closes a stream mid-way: the call is charged in full, the upstream request ends, the row closes", async () => {
    doubles.paid.setBehavior("gpt-4o-mini", { kind: "stall_stream" });
    home = doublesHome(doubles, ["bun", join(import.meta.dir, "jobs", "abort-stream-job.ts")]);
    const h = home;
    const from = doubles.paid.requests.length;
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s.status).toBe("ok");
    expect(unitText(h, s.outPath)).toContain("first piece: Hello");
    const [call, ...more] = callsOf(h.db, s.tickId);
    expect(more).toHaveLength(0);
    expect(call).toMatchObject({ link_id: "paid", state: "charged_full" });
    expect(call?.cost_micros).toBe(call?.reserved_micros ?? -1);
    const [span] = traceOf(h, s).filter((r) => r.name === "proxy.request");
    expect([span?.status, span?.attrs.complete]).toEqual(["cancelled", false]);
    await doubles.paid.idle();
    expect(doubles.paid.requests.slice(from).map((r) => r.aborted)).toEqual([true]);
    const row = h.db
      .query<{ status: string; ended_at: string | null }, [string]>(
        "SELECT status, ended_at FROM ticks WHERE id = ?",
      )
      .get(s.tickId);
    expect(row?.status).toBe("ok");
    expect(row?.ended_at).not.toBeNull();
  });
});
