import { describe, expect, test } from "bun:test";
import { makeRedactor, secretEnvNames } from "../../src/core/redact.ts";

const KEY = "sk-proj-Zq8RtY4mWx2Lk9Vb7Nc3Hd6Fg1Js5Pa0";

describe("the redactor, by value", () => {
  const redact = makeRedactor([KEY, undefined, "short"]);
  test.each([
    [`Bearer ${KEY}`, "Bearer [redacted]"],
    [`key ${KEY.slice(3)} echoed`, "key [redacted] echoed"],
    [`piece ${KEY.slice(10, 22)} and ${KEY.slice(30)}`, "piece [redacted] and [redacted]"],
    [`https://x.example/?k=${encodeURIComponent(KEY.slice(8))}`, "https://x.example/?k=[redacted]"],
    [`seven ${KEY.slice(5, 12)} stays`, `seven ${KEY.slice(5, 12)} stays`],
    ["nothing secret here", "nothing secret here"],
    ["00000000 is not distinctive", "00000000 is not distinctive"],
  ])("%p → %p", (input, want) => {
    expect(redact(input)).toBe(want);
  });

  test("values under 6 characters are not secrets worth redacting (they would eat ordinary words)", () => {
    expect(redact("a short word")).toBe("a short word");
  });

  test("the secret names are every *_env key of the spec, at any depth", () => {
    expect(
      secretEnvNames({
        models: [{ api_key_env: "OPENAI_API_KEY" }, { kind: "extractive" }],
        deliver: [{ token_env: "NTFY_TOKEN" }, { smtp_url_env: "AFK_SMTP_URL" }],
      }).sort(),
    ).toEqual(["AFK_SMTP_URL", "NTFY_TOKEN", "OPENAI_API_KEY"]);
  });
});
