import { describe, expect, test } from "bun:test";
import { explainModel, explainSource, type ModelView } from "../../src/status/explain.ts";

const OLLAMA: ModelView = {
  id: "primary",
  kind: "ollama",
  model: "llama3.1:8b",
  endpoint: "http://127.0.0.1:11434",
};
const PAID: ModelView = {
  id: "paid",
  kind: "openai",
  model: "gpt-4o-mini",
  endpoint: "https://api.openai.com/v1",
};

describe("errors in words an operator can act on", () => {
  test.each([
    [
      OLLAMA,
      "network: ConnectionRefused: Unable to connect. Is the computer able to access the url?",
      "primary (llama3.1:8b): connection refused at 127.0.0.1:11434 — is Ollama running?",
    ],
    [
      OLLAMA,
      "circuit_open: circuit open after 3 failed ticks in a row, until 2026-12-02T01:54:56.195Z",
      "primary (llama3.1:8b): skipped — it failed 3 ticks in a row, so afk rests it (next try <2026-12-02T01:54:56.195Z>) (circuit breaker)",
    ],
    [OLLAMA, "not_found: 404: model 'llama3.1:8b' not found", "run: ollama pull llama3.1:8b"],
    [PAID, "unauthorized: 401: Incorrect API key provided", "paid (gpt-4o-mini): the API key was refused"],
    [PAID, "timeout: The operation timed out.", "paid (gpt-4o-mini): no answer from api.openai.com in time"],
    [
      PAID,
      "over_budget: worst case $0.10 > $0.05 left",
      "its worst-case cost does not fit in what is left of today's cap",
    ],
  ])("%o %s", (link, reason, expected) => {
    expect(explainModel(link.id, reason, link, (iso) => `<${iso}>`)).toContain(expected);
  });

  test("no runtime text leaks through when the code is known", () => {
    const text = explainModel(
      "primary",
      "network: Unable to connect. Is the computer able to access the url?",
      OLLAMA,
    );
    expect(text).not.toContain("Is the computer able");
  });

  test.each([
    ["http_status", "HTTP 503", "answered HTTP 503 — the site is down or overloaded"],
    ["http_status", "HTTP 404", "answered HTTP 404 — the feed moved or is gone"],
    [
      "network",
      "Unable to connect. Is the computer able to access the url?",
      "could not connect to feeds.example.org",
    ],
    ["parse", "not a feed (unexpected <html>)", "did not send a feed afk can read"],
  ])("source %s %s", (code, error, expected) => {
    expect(
      explainSource({ id: "hn", code, error }, { id: "hn", where: "feeds.example.org", optional: false }),
    ).toContain(expected);
  });
});
