import { describe, expect, test } from "bun:test";
import {
  classifyStatus,
  classifyTransport,
  countsForBreaker,
  disablesTier,
  FAILURE_CODES,
  isTransient,
} from "../../src/models/failure.ts";
import { classifyOllamaError } from "../../src/models/ollama.ts";

describe("classifying an HTTP error", () => {
  test.each([
    [401, null, "unauthorized", false, true],
    [403, null, "unauthorized", false, true],
    [404, null, "not_found", false, false],
    [429, "insufficient_quota", "quota", false, true],
    [429, "rate_limit_exceeded", "rate_limit", true, false],
    [408, null, "timeout", true, false],
    [400, null, "http_4xx", false, false],
    [500, null, "http_5xx", true, false],
    [502, null, "http_5xx", true, false],
    [503, null, "busy", true, false],
  ] as const)("%d (%p) is %s, transient %p, tier off %p", (status, providerCode, code, transient, off) => {
    const f = classifyStatus(status, "msg", providerCode);
    expect(f.code).toBe(code);
    expect(f.reason).toBe(`${status}: msg`);
    expect(isTransient(f.code)).toBe(transient);
    expect(disablesTier(f.code)).toBe(off);
  });

  test("a rate limit keeps the provider's Retry-After", () => {
    expect(classifyStatus(429, "slow down", "rate_limit_exceeded", 1500).retryAfterMs).toBe(1500);
  });
});

describe("classifying a failure with no HTTP answer", () => {
  const live = new AbortController().signal;
  test("a deadline is a timeout, a cut body is a bad reply, anything else is the network", () => {
    expect(classifyTransport(new DOMException("t", "TimeoutError"), live, "t").code).toBe("timeout");
    expect(classifyTransport(new SyntaxError("JSON Parse error"), live, "x").code).toBe("bad_reply");
    expect(classifyTransport(new TypeError("ECONNREFUSED"), live, "x").code).toBe("network");
  });

  test("a stopped tick wins over whatever the fetch threw", () => {
    const stopped = new AbortController();
    stopped.abort(new Error("kill"));
    expect(classifyTransport(new DOMException("t", "TimeoutError"), stopped.signal, "t").code).toBe(
      "aborted",
    );
    expect(
      classifyOllamaError(
        Object.assign(new Error("boom"), { name: "ResponseError", status_code: 500 }),
        stopped.signal,
      ).code,
    ).toBe("aborted");
  });

  test("the ollama client's ResponseError is matched by name and status", () => {
    const err = Object.assign(new Error('model "x" not found, try pulling it first'), {
      name: "ResponseError",
      status_code: 404,
    });
    expect(classifyOllamaError(err, live)).toEqual({
      code: "not_found",
      reason: '404: model "x" not found, try pulling it first',
    });
  });
});

describe("what counts towards the circuit breaker", () => {
  test("model failures count; refusals before any request, a disabled tier and a stopped tick do not", () => {
    const counted = FAILURE_CODES.filter(countsForBreaker);
    expect(counted).toEqual([
      "not_found",
      "rate_limit",
      "http_4xx",
      "http_5xx",
      "busy",
      "timeout",
      "network",
      "bad_reply",
      "invalid_draft",
    ]);
  });
});
