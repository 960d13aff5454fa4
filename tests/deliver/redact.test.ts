import { expect, test } from "bun:test";
import { redactor, safeOrigin } from "../../src/deliver/redact.ts";

test.each([
  [
    "an SMTP URL's user and password",
    "smtp://mailer:pw@mail.example.org:587",
    "auth as mailer with pw failed",
    "auth as [redacted] with [redacted] failed",
  ],
  ["a one-letter password", "smtp://user:x@h:25", "535 x rejected", "535 [redacted] rejected"],
  [
    "a webhook URL's secret path",
    "https://hooks.slack.com/services/T0/B0/XyZ",
    "POST https://hooks.slack.com/services/T0/B0/XyZ: 404",
    "POST [redacted]: 404",
  ],
  [
    "a path quoted without its host",
    "https://hooks.example.org/h/s3cret",
    "no route /h/s3cret",
    "no route [redacted]",
  ],
  ["a query token", "https://ntfy.sh/t?auth=abc123", "bad ?auth=abc123", "bad [redacted]"],
  [
    "a bearer header echoed back",
    "https://ntfy.sh/t",
    "sent Bearer tk_123 got 401",
    "sent Bearer [redacted] got 401",
  ],
])("%s never survives", (_, secret, text, want) => {
  expect(redactor([secret])(text)).toBe(want);
});

test("a sink is shown by scheme and host only", () => {
  expect(safeOrigin("https://user:pw@hooks.example.org:8443/a/b?c=d")).toBe("https://hooks.example.org:8443");
  expect(safeOrigin("not a url")).toBe("(invalid url)");
});
