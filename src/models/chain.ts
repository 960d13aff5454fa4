import type { ModelLink, OllamaLinkSpec, OpenAiLinkSpec } from "../spec/schema.ts";
import { costOf, recordFreeCall, shadowPrices } from "./calls.ts";
import { type DraftLimits, validateDraft } from "./draft.ts";
import { extractiveDraft } from "./extractive.ts";
import { classifyOllamaError, DEFAULT_OLLAMA_HOST, ollamaChat } from "./ollama.ts";
import { buildMessages, estimateTokens } from "./prompt.ts";
import type { ChainContext, ChainResult, LinkOutcome, SynthesisRequest } from "./types.ts";

/** Runs one link of the chain: every attempt is traced and recorded in `calls`. */
export type LinkRunner<L extends ModelLink = ModelLink> = (
  link: L,
  req: SynthesisRequest,
  ctx: ChainContext,
) => Promise<LinkOutcome>;

function limitsOf(ctx: ChainContext): DraftLimits {
  const s = ctx.loaded.spec;
  return {
    minItems: s.value.min_items,
    summaryMaxChars: s.digest.summary_max_chars,
    maxChars: s.digest.max_chars,
  };
}

/** Backoff before retry `attempt` (1-based): 0.5 s, 1 s, 2 s… capped, cut short by the tick's abort. */
function backoff(attempt: number, signal: AbortSignal): Promise<void> {
  const ms = Math.min(500 * 2 ** (attempt - 1), 5000);
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Ollama link: a bounded retry for transient failures, then the verdict of the draft validator. */
export const runOllamaLink = async (
  link: OllamaLinkSpec,
  req: SynthesisRequest,
  ctx: ChainContext,
): Promise<LinkOutcome> => {
  const messages = buildMessages(
    ctx.loaded.spec.name,
    req.candidates,
    ctx.loaded.spec.digest.summary_max_chars,
  );
  const host = ctx.deps.env.OLLAMA_HOST || DEFAULT_OLLAMA_HOST;
  const prices = shadowPrices(ctx.loaded.spec);
  let last: LinkOutcome = { ok: false, code: "not_tried", reason: "no attempt made" };
  for (let attempt = 1; attempt <= link.retries + 1; attempt++) {
    const span = ctx.span.child("model.call", { link: link.id, kind: "ollama", model: link.model, attempt });
    const startedAt = ctx.deps.clock.now().toISOString();
    const record = (outcome: string, tokensIn: number | null, tokensOut: number | null, shadow: number) => {
      recordFreeCall(ctx.db, {
        tickId: ctx.tickId,
        day: ctx.day,
        linkId: link.id,
        kind: "ollama",
        model: link.model,
        attempt,
        tokensIn,
        tokensOut,
        shadowMicros: shadow,
        outcome,
        startedAt,
        endedAt: ctx.deps.clock.now().toISOString(),
      });
      span.set({ outcome, tokens_in: tokensIn, tokens_out: tokensOut, shadow_micros: shadow });
    };
    try {
      const reply = await ollamaChat(link, messages, { host, fetch: ctx.deps.fetch, signal: ctx.signal });
      const inEst = reply.tokensIn ?? estimateTokens(messages.map((m) => m.content).join(""));
      const shadow = costOf(prices, inEst, reply.tokensOut ?? estimateTokens(reply.content));
      const verdict = validateDraft(reply.content, req.candidates, limitsOf(ctx));
      if (verdict.ok) {
        record("ok", reply.tokensIn, reply.tokensOut, shadow);
        span.end("ok");
        return { ok: true, draft: verdict.draft };
      }
      record("invalid_draft", reply.tokensIn, reply.tokensOut, shadow);
      span.event("draft.rejected", { link: link.id, reason: verdict.reason });
      span.end("error", new Error(`draft rejected: ${verdict.reason}`));
      return { ok: false, code: "invalid_draft", reason: verdict.reason };
    } catch (err) {
      const f = classifyOllamaError(err, ctx.signal);
      record(f.code, null, null, 0);
      span.event("model.error", { link: link.id, code: f.code, transient: f.transient }, err);
      span.end("error", err);
      last = { ok: false, code: f.code, reason: f.reason };
      if (!f.transient || attempt > link.retries) break;
      await backoff(attempt, ctx.signal);
      if (ctx.signal.aborted) break;
    }
  }
  return last;
};

/** The extractive link: no model and no network, so the chain always ends with a draft. */
export const runExtractiveLink = async (
  link: ModelLink,
  req: SynthesisRequest,
  ctx: ChainContext,
): Promise<LinkOutcome> => {
  const startedAt = ctx.deps.clock.now().toISOString();
  const draft = extractiveDraft(req.title, req.candidates, ctx.loaded.spec.digest.summary_max_chars);
  recordFreeCall(ctx.db, {
    tickId: ctx.tickId,
    day: ctx.day,
    linkId: link.id,
    kind: "extractive",
    model: null,
    attempt: 1,
    tokensIn: null,
    tokensOut: null,
    shadowMicros: 0,
    outcome: "ok",
    startedAt,
    endedAt: ctx.deps.clock.now().toISOString(),
  });
  return { ok: true, draft };
};

export interface ChainRunners {
  ollama: LinkRunner<OllamaLinkSpec>;
  openai: LinkRunner<OpenAiLinkSpec>;
  extractive: LinkRunner;
}

/**
 * Tries each link in order until one returns a valid draft; every hand-over is a trace event
 * naming from, to and why. If every link fails (a chain with no extractive link), the
 * extractive draft is used anyway so value still lands, and the trace says so.
 */
export async function synthesize(
  req: SynthesisRequest,
  ctx: ChainContext,
  runners: ChainRunners,
): Promise<ChainResult> {
  const fallbacks: ChainResult["fallbacks"] = [];
  const links = ctx.loaded.spec.models;
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as ModelLink;
    if (ctx.signal.aborted) break;
    const outcome = await runLink(link, req, ctx, runners);
    if (outcome.ok) return { draft: outcome.draft, link, fallbacks };
    const next = links[i + 1]?.id ?? "extractive (built-in)";
    const reason = `${outcome.code}: ${outcome.reason}`;
    fallbacks.push({ from: link.id, to: next, reason });
    ctx.span.event("model.fallback", { from: link.id, to: next, reason });
  }
  const builtin: ModelLink = { id: "extractive-builtin", kind: "extractive" };
  const outcome = await runExtractiveLink(builtin, req, ctx);
  if (!outcome.ok) throw new Error("extractive link cannot fail");
  return { draft: outcome.draft, link: builtin, fallbacks };
}

function runLink(
  link: ModelLink,
  req: SynthesisRequest,
  ctx: ChainContext,
  runners: ChainRunners,
): Promise<LinkOutcome> {
  switch (link.kind) {
    case "ollama":
      return runners.ollama(link, req, ctx);
    case "openai":
      return runners.openai(link, req, ctx);
    case "extractive":
      return runners.extractive(link, req, ctx);
    default: {
      const never: never = link;
      throw new Error(`unknown link kind ${(never as ModelLink).kind}`);
    }
  }
}
