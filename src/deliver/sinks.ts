import type { SinkSpec } from "../spec/schema.ts";
import { emailSink } from "./email.tsx";
import { ntfySink } from "./ntfy.ts";
import type { Sink } from "./sink.ts";
import { webhookSink } from "./webhook.ts";

/** The spec's `deliver:` list as sinks, credentials read from the environment the spec names. */
export function buildSinks(
  sinks: readonly SinkSpec[],
  env: Readonly<Record<string, string | undefined>>,
  fetchFn: typeof fetch,
): Sink[] {
  return sinks.map((s) => {
    switch (s.kind) {
      case "email":
        return emailSink(s, env);
      case "ntfy":
        return ntfySink(s, env, fetchFn);
      case "webhook":
        return webhookSink(s, env, fetchFn);
      default:
        return s satisfies never;
    }
  });
}
