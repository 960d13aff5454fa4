import { usdToMicros } from "../../core/money.ts";
import { describeRepairs } from "../../models/draft.ts";
import type { ChainResult } from "../../models/types.ts";
import type { FeedItem } from "../../sources/types.ts";
import type { LoadedSpec } from "../../spec/load.ts";
import type { Unit } from "../job.ts";
import { type Fetched, requiredDownReasons } from "./fetch-step.ts";
import type { Validated } from "./validate-step.ts";

/**
 * The digest as a unit. A digest that passed validation has at least min_items entries
 * (validateDraftValue): one unit of value. It is degraded by a fallback, a repaired draft (a
 * guardrail that fired) or a required source down. Its delivery keeps the items in it and the
 * validators of the fetches that brought them.
 */
export function digestUnit(
  loaded: LoadedSpec,
  title: string,
  parts: { fetched: Fetched; candidates: readonly FeedItem[]; chain: ChainResult; text: Validated },
): Unit {
  const { fetched, chain, text } = parts;
  const byLink = new Map(parts.candidates.map((c) => [c.link, c.identity]));
  return {
    title,
    markdown: text.md,
    items: text.entries,
    valueMicros: usdToMicros(loaded.spec.value.usd_per_unit),
    degraded: [
      ...chain.fallbacks.map((f) => `fallback ${f.from} → ${f.to} (${f.reason})`),
      ...(text.repairs.length
        ? [`draft of ${chain.link.id} repaired: ${describeRepairs(text.repairs)}`]
        : []),
      ...requiredDownReasons(fetched),
    ],
    delivery: {
      identities: text.links.flatMap((l) => byLink.get(l) ?? []),
      validators: fetched.results.flatMap((r) =>
        r.ok && r.validators ? [{ sourceId: r.sourceId, validators: r.validators }] : [],
      ),
    },
  };
}
