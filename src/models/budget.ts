import { tokenCost } from "../core/money.ts";
import type { Spec } from "../spec/schema.ts";

/** Worst-case input tokens of one synthesis call: the prompt around `max_items` capped summaries and titles. */
export function worstCaseInputTokens(spec: Spec): number {
  const perItem = spec.digest.summary_max_chars + 300 + 200; // summary + title (capped) + link and JSON framing
  return Math.ceil((1200 + spec.triage.max_items * perItem) / 4);
}

/**
 * The most one tick can spend: every paid link at its worst case (input estimate plus
 * max_output_tokens at the spec's prices), once per allowed attempt. A paid link with an
 * unknown price has no finite worst case; it is refused at call time, so it adds nothing here.
 */
export function worstCaseTickMicros(spec: Spec): number {
  let total = 0;
  for (const l of spec.models) {
    if (l.kind !== "openai" || l.usd_per_mtok_in === undefined || l.usd_per_mtok_out === undefined) continue;
    const once =
      tokenCost(worstCaseInputTokens(spec), l.usd_per_mtok_in) +
      tokenCost(l.max_output_tokens, l.usd_per_mtok_out);
    total += once * (l.retries + 1);
  }
  return total;
}
