import type { DraftRepair } from "../../models/draft.ts";
import { traceRepairs, validateDraftValue } from "../../models/draft.ts";
import type { ChainResult } from "../../models/types.ts";
import type { FeedItem } from "../../sources/types.ts";
import type { TickScope } from "../context.ts";
import { renderDigest } from "../render.ts";

/** A draft that passed validation, rendered. */
export interface Validated {
  md: string;
  entries: number;
  /** The links of its entries, in order. */
  links: string[];
  /** Every repair made on the way: the chain's and the validator's. */
  repairs: DraftRepair[];
}

/**
 * Checks the chain's final draft against the candidates and the digest's limits under the
 * `validate` span, and renders it; null when it is rejected (no digest is written).
 */
export function validateStep(
  t: TickScope,
  chain: ChainResult,
  candidates: readonly FeedItem[],
  slotLabel: string,
): Promise<Validated | null> {
  const { spec } = t.ctx.loaded;
  return t.step("validate", async (span) => {
    const verdict = validateDraftValue(chain.draft, candidates, {
      minItems: spec.value.min_items,
      summaryMaxChars: spec.digest.summary_max_chars,
      maxChars: spec.digest.max_chars,
    });
    traceRepairs(span, chain.link.id, verdict.repairs);
    if (!verdict.ok) {
      span.event("draft.rejected", { link: chain.link.id, reason: verdict.reason });
      return null;
    }
    const writtenBy =
      chain.link.kind === "extractive" ? "extractive (no model)" : `${chain.link.id} (${chain.link.model})`;
    const md = renderDigest({ draft: verdict.draft, candidates, slotLabel, writtenBy });
    span.set({ entries: verdict.draft.entries.length, chars: md.length });
    return {
      md,
      entries: verdict.draft.entries.length,
      links: verdict.draft.entries.map((e) => e.link),
      repairs: [...chain.repairs, ...verdict.repairs],
    };
  });
}
