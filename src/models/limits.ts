import type { Spec } from "../spec/schema.ts";
import type { DraftLimits } from "./draft.ts";

/** The draft bounds a spec sets: the same for every link and for the harness's final check. */
export function draftLimits(spec: Spec): DraftLimits {
  return {
    minItems: spec.value.min_items,
    summaryMaxChars: spec.digest.summary_max_chars,
    maxChars: spec.digest.max_chars,
  };
}
