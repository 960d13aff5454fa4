import type { FeedItem } from "../sources/types.ts";
import type { OllamaLinkSpec } from "../spec/schema.ts";
import { inputTokenBound } from "./budget.ts";
import { DRAFT_TITLE_MAX, type DraftLimits } from "./draft.ts";
import type { ChatMessage } from "./prompt.ts";

/** The least context afk asks for: what current Ollama servers give by default. */
export const NUM_CTX_FLOOR = 4096;
/** Contexts are asked for in steps, so small prompt changes do not reload the model. */
export const NUM_CTX_STEP = 4096;
/** A draft's JSON around its text: keys, quotes, commas, and the indentation models like to add. */
const DRAFT_JSON_TOP = 64;
const DRAFT_JSON_PER_ENTRY = 64;
/** Escaped quotes and backslashes in the text. */
const ESCAPE_SLACK = 1.1;

/**
 * The most characters the JSON of a valid draft for these candidates can take: the title, one
 * entry per candidate (its link, a summary at `summary_max_chars`), within `max_chars`.
 */
export function draftCharBound(candidates: readonly FeedItem[], limits: DraftLimits): number {
  const perEntry = candidates.reduce((n, c) => n + (c.link?.length ?? 0) + limits.summaryMaxChars, 0);
  const text = Math.min(limits.maxChars, DRAFT_TITLE_MAX + perEntry);
  return Math.ceil(text * ESCAPE_SLACK) + DRAFT_JSON_TOP + DRAFT_JSON_PER_ENTRY * candidates.length;
}

export interface OllamaSizing {
  /** Sent as `options.num_ctx`. */
  numCtx: number;
  /** Sent as `options.num_predict`. */
  numPredict: number;
  /** Upper bound on the prompt's tokens (UTF-8 bytes plus the chat template's framing). */
  promptBound: number;
  /** Whether the context holds the prompt's bound plus `num_predict` (false only when the spec set a smaller `num_ctx`). */
  fits: boolean;
}

/**
 * The context and output limits of one Ollama request. `num_predict` defaults to one token per
 * character of the draft's bound (a Latin-script token is about four). `num_ctx` defaults to the
 * prompt's token bound plus `num_predict`, rounded up to a step, at least the floor: a server
 * whose context is smaller than the prompt silently drops the prompt's front, the system
 * prompt first, and one that fills it mid-reply shifts the context the same way.
 */
export function ollamaSizing(
  link: OllamaLinkSpec,
  messages: readonly ChatMessage[],
  candidates: readonly FeedItem[],
  limits: DraftLimits,
): OllamaSizing {
  const numPredict = link.num_predict ?? draftCharBound(candidates, limits);
  const promptBound = inputTokenBound(messages);
  const need = promptBound + numPredict;
  const numCtx = link.num_ctx ?? Math.max(NUM_CTX_FLOOR, Math.ceil(need / NUM_CTX_STEP) * NUM_CTX_STEP);
  return { numCtx, numPredict, promptBound, fits: numCtx >= need };
}
