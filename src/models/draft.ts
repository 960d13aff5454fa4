import { z } from "zod";
import type { FeedItem } from "../sources/types.ts";

/** What a model must return: one summary per chosen candidate, identified by its link. */
export const DraftSchema = z.strictObject({
  title: z.string().min(1).max(200),
  entries: z
    .array(
      z.strictObject({
        link: z.string().min(1),
        summary: z.string().min(1),
      }),
    )
    .min(1),
});
export type Draft = z.infer<typeof DraftSchema>;

/** JSON schema sent to Ollama as `format`, so the server constrains the output to it. */
export const draftJsonSchema = z.toJSONSchema(DraftSchema);

export interface DraftLimits {
  minItems: number;
  summaryMaxChars: number;
  maxChars: number;
}

export type DraftVerdict = { ok: true; draft: Draft } | { ok: false; reason: string };

/**
 * Validates a model's raw text as a draft: JSON, the schema, every link among the
 * candidates (no invented links), no duplicates, enough entries, bounded lengths.
 */
export function validateDraft(
  raw: string,
  candidates: readonly FeedItem[],
  limits: DraftLimits,
): DraftVerdict {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: `not JSON: ${JSON.stringify(raw.slice(0, 60))}` };
  }
  return validateDraftValue(json, candidates, limits);
}

export function validateDraftValue(
  value: unknown,
  candidates: readonly FeedItem[],
  limits: DraftLimits,
): DraftVerdict {
  const parsed = DraftSchema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return {
      ok: false,
      reason: `wrong shape: ${first ? `${first.path.join(".") || "(root)"}: ${first.message}` : ""}`,
    };
  }
  const draft = parsed.data;
  const allowed = new Set(candidates.map((c) => c.link));
  const seen = new Set<string>();
  for (const e of draft.entries) {
    if (!allowed.has(e.link))
      return { ok: false, reason: `link not among the candidates: ${e.link.slice(0, 120)}` };
    if (seen.has(e.link)) return { ok: false, reason: `link listed twice: ${e.link.slice(0, 120)}` };
    seen.add(e.link);
    if (e.summary.length > limits.summaryMaxChars) {
      return {
        ok: false,
        reason: `summary too long (${e.summary.length} > ${limits.summaryMaxChars} chars)`,
      };
    }
  }
  const needed = Math.min(limits.minItems, candidates.length);
  if (draft.entries.length < needed) {
    return { ok: false, reason: `too few entries (${draft.entries.length} < ${needed})` };
  }
  const total = draft.title.length + draft.entries.reduce((n, e) => n + e.summary.length + e.link.length, 0);
  if (total > limits.maxChars)
    return { ok: false, reason: `draft too long (${total} > ${limits.maxChars} chars)` };
  return { ok: true, draft };
}
