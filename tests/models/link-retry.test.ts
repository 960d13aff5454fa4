import { afterEach, describe, expect, test } from "bun:test";
import type { Failure } from "../../src/models/failure.ts";
import { backoffMs, withRetries } from "../../src/models/link-retry.ts";
import { chainFor, eventsNamed, type Home, makeHome } from "./fixtures.ts";

let home: Home | undefined;
afterEach(() => {
  home?.cleanup();
  home = undefined;
});

function setUp() {
  home = makeHome({ models: ["{ id: extractive, kind: extractive }"] });
  return home;
}

/** An attempt function that fails with `failures` in order, then succeeds; it counts its calls. */
function script(...failures: Failure[]) {
  const calls: number[] = [];
  const once = async (attempt: number) => {
    calls.push(attempt);
    const f = failures[attempt - 1];
    return f ? { ok: false as const, failure: f } : { ok: true as const, value: "draft" };
  };
  return { calls, once };
}

const now = (code: Failure["code"]): Failure => ({ code, reason: code, retryAfterMs: 0 });

describe("bounded retries", () => {
  test("a transient failure is retried at most `retries` times, then the link gives up", async () => {
    const { ctx } = chainFor(setUp());
    const s = script(now("http_5xx"), now("timeout"), now("busy"), now("network"));
    const r = await withRetries(ctx, { id: "m", retries: 2 }, s.once);
    expect(s.calls).toEqual([1, 2, 3]);
    expect(r).toEqual({ ok: false, failure: now("busy") });
  });

  test("a transient failure followed by a success delivers", async () => {
    const { ctx, records } = chainFor(setUp());
    const s = script(now("network"));
    expect(await withRetries(ctx, { id: "m", retries: 1 }, s.once)).toEqual({ ok: true, value: "draft" });
    expect(eventsNamed(records, "model.retry")[0]?.attrs).toMatchObject({
      link: "m",
      after_attempt: 1,
      code: "network",
    });
  });

  test.each(["not_found", "unauthorized", "quota", "invalid_draft", "over_budget", "http_4xx"] as const)(
    "%s is not retried",
    async (code) => {
      const { ctx } = chainFor(setUp());
      const s = script(now(code));
      await withRetries(ctx, { id: "m", retries: 3 }, s.once);
      expect(s.calls).toEqual([1]);
    },
  );

  test("a Retry-After that would run past the tick's deadline is not waited for", async () => {
    const h = setUp();
    const { ctx, records } = chainFor(h, { deadline: h.clock.now().getTime() + 5_000 });
    const s = script({ code: "rate_limit", reason: "429", retryAfterMs: 60_000 });
    // Waiting the 60 s would outlast the test's own timeout; the skip event proves it was not waited for.
    const r = await withRetries(ctx, { id: "paid", retries: 3 }, s.once);
    expect(s.calls).toEqual([1]);
    expect(r.ok).toBe(false);
    expect(eventsNamed(records, "model.retry_skipped")[0]?.attrs).toMatchObject({
      link: "paid",
      code: "rate_limit",
      wait_ms: 60_000,
      left_ms: 5_000,
    });
  });

  test("a stopped tick ends the retries at once", async () => {
    const stop = new AbortController();
    const { ctx } = chainFor(setUp(), { signal: stop.signal });
    const calls: number[] = [];
    const r = await withRetries(ctx, { id: "m", retries: 3 }, async (attempt) => {
      calls.push(attempt);
      stop.abort(new Error("killed"));
      return { ok: false, failure: { code: "timeout", reason: "t" } };
    });
    expect(calls).toEqual([1]);
    expect(r.ok).toBe(false);
  });

  test("the backoff doubles from half a second and is capped at five", () => {
    expect([1, 2, 3, 4, 5, 6].map(backoffMs)).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
  });
});
