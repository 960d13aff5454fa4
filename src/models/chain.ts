import type { ModelLink, OllamaLinkSpec, OpenAiLinkSpec } from "../spec/schema.ts";
import type { Span } from "../trace/tracer.ts";
import { costOf, localCallRecorder, recordFreeCall, shadowPrices } from "./calls.ts";
import { ollamaSizing } from "./context.ts";
import { type Draft, type DraftRepair, type DraftVerdict, traceRepairs, validateDraft } from "./draft.ts";
import { extractiveDraft } from "./extractive.ts";
import { countsForBreaker, disablesTier, type Failure } from "./failure.ts";
import { draftLimits } from "./limits.ts";
import { type AttemptResult, withRetries } from "./link-retry.ts";
import { classifyOllamaError, ollamaChat, ollamaHost } from "./ollama.ts";
import { buildMessages, estimateTokens } from "./prompt.ts";
import { breakerGate, breakerRow, noteBreaker, switchTierOff, tierOff } from "./state.ts";
import type { ChainContext, ChainResult, LinkOutcome, SynthesisRequest } from "./types.ts";

/** Runs one link of the chain: every attempt is traced and recorded in `calls`. */
export type LinkCaller<L extends ModelLink = ModelLink> = (
  link: L,
  req: SynthesisRequest,
  ctx: ChainContext,
) => Promise<LinkOutcome>;

/** A draft that passed validation, with what was repaired in it. */
export interface Repaired {
  draft: Draft;
  repairs: DraftRepair[];
}

/**
 * Ollama link: a request sized for its prompt (`num_ctx`, `num_predict`), a bounded retry for
 * transient failures, then the verdict of the draft validator (which repairs what it can).
 */
export const runOllamaLink = async (
  link: OllamaLinkSpec,
  req: SynthesisRequest,
  ctx: ChainContext,
): Promise<LinkOutcome> => {
  const spec = ctx.loaded.spec;
  const messages = buildMessages(spec.name, req.candidates, spec.digest.summary_max_chars);
  const host = ollamaHost(ctx.deps.env);
  const prices = shadowPrices(spec);
  const promptEstimate = estimateTokens(messages.map((m) => m.content).join(""));
  const limits = draftLimits(spec);
  const sizing = ollamaSizing(link, messages, req.candidates, limits);
  if (!sizing.fits)
    ctx.span.event("model.context_short", {
      link: link.id,
      model: link.model,
      num_ctx: sizing.numCtx,
      num_predict: sizing.numPredict,
      prompt_bound: sizing.promptBound,
      prompt_estimate: promptEstimate,
      reason:
        "the spec's num_ctx is below the prompt's token bound plus num_predict: the server may drop the prompt's front (the system prompt) or shift the context mid-reply",
    });

  const once = async (attempt: number): Promise<AttemptResult<Repaired>> => {
    const span = ctx.span.child("model.call", {
      link: link.id,
      kind: "ollama",
      model: link.model,
      attempt,
      num_ctx: sizing.numCtx,
      num_predict: sizing.numPredict,
      prompt_bound: sizing.promptBound,
    });
    const record = localCallRecorder(
      { db: ctx.db, tickId: ctx.tickId, day: ctx.day, clock: ctx.deps.clock, span },
      link,
      attempt,
    );
    try {
      const reply = await ollamaChat(link, messages, {
        host,
        fetch: ctx.deps.fetch,
        signal: ctx.signal,
        sizing,
      });
      // Unknown counts stay NULL in the ledger; the shadow cost falls back to an estimate and says so.
      const shadow = costOf(
        prices,
        reply.tokensIn ?? promptEstimate,
        reply.tokensOut ?? estimateTokens(reply.content),
      );
      const verdict = validateDraft(reply.content, req.candidates, limits);
      record(verdict.ok ? "ok" : "invalid_draft", reply.tokensIn, reply.tokensOut, shadow);
      span.set({
        done_reason: reply.doneReason,
        shadow_estimated: reply.tokensIn === null || reply.tokensOut === null,
      });
      return judged(span, link.id, verdict);
    } catch (err) {
      const f = classifyOllamaError(err, ctx.signal);
      record(f.code, null, null, 0);
      span.end("error", new Error(`${f.code}: ${f.reason}`));
      return { ok: false, failure: f };
    }
  };

  const r = await withRetries(ctx, link, once);
  return r.ok
    ? { ok: true, draft: r.value.draft, repairs: r.value.repairs }
    : { ok: false, code: r.failure.code, reason: r.failure.reason };
};

/**
 * Ends a model call's span with the validator's verdict: each repair a `draft.repair` event,
 * a rejection a `draft.rejected` event and an `invalid_draft` failure (not retried).
 */
export function judged(span: Span, linkId: string, verdict: DraftVerdict): AttemptResult<Repaired> {
  traceRepairs(span, linkId, verdict.repairs);
  span.set({ repairs: verdict.repairs.length });
  if (verdict.ok) {
    span.end("ok");
    return { ok: true, value: { draft: verdict.draft, repairs: verdict.repairs } };
  }
  span.event("draft.rejected", { link: linkId, reason: verdict.reason });
  span.end("error", new Error(`draft rejected: ${verdict.reason}`));
  return { ok: false, failure: { code: "invalid_draft", reason: verdict.reason } };
}

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
  ctx.span.event("model.extractive", { link: link.id, entries: draft.entries.length });
  return { ok: true, draft, repairs: [] };
};

export interface LinkCallers {
  ollama: LinkCaller<OllamaLinkSpec>;
  openai: LinkCaller<OpenAiLinkSpec>;
  extractive: LinkCaller;
}

/**
 * Tries each link in order until one returns a valid draft; every hand-over is a trace event
 * naming from, to and why. Before a model link runs, its tier (switched off for the day by a
 * 401 or an exhausted quota) and its circuit breaker are checked; after, the breaker notes
 * how it did. If every link fails (a chain with no extractive link), the extractive draft is
 * used anyway so value still lands, and the trace says so.
 */
export async function synthesize(
  req: SynthesisRequest,
  ctx: ChainContext,
  callers: LinkCallers,
): Promise<ChainResult> {
  const spec = ctx.loaded.spec;
  const c: ChainContext = {
    ...ctx,
    deadline: ctx.deadline ?? ctx.deps.clock.now().getTime() + spec.limits.max_tick_seconds * 1000,
  };
  const fallbacks: ChainResult["fallbacks"] = [];
  const links = spec.models;
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as ModelLink;
    if (c.signal.aborted) break;
    const outcome =
      link.kind === "extractive"
        ? await runLink(link, req, c, callers)
        : await runGatedLink(link, req, c, callers);
    if (outcome.ok) return { draft: outcome.draft, link, fallbacks, repairs: outcome.repairs };
    const nextLink = links[i + 1];
    const next = nextLink?.id ?? "extractive (built-in)";
    const reason = `${outcome.code}: ${outcome.reason}`;
    fallbacks.push({ from: link.id, to: next, reason });
    c.span.event("model.fallback", {
      from: link.id,
      from_model: "model" in link ? link.model : null,
      to: next,
      to_model: nextLink && "model" in nextLink ? nextLink.model : null,
      code: outcome.code,
      reason: outcome.reason,
    });
  }
  const builtin: ModelLink = { id: "extractive-builtin", kind: "extractive" };
  const outcome = await runExtractiveLink(builtin, req, c);
  if (!outcome.ok) throw new Error("extractive link cannot fail");
  return { draft: outcome.draft, link: builtin, fallbacks, repairs: [] };
}

type ModelLinkSpec = OllamaLinkSpec | OpenAiLinkSpec;

/** A model link behind its gates: the day's tier switch and its circuit breaker. */
async function runGatedLink(
  link: ModelLinkSpec,
  req: SynthesisRequest,
  ctx: ChainContext,
  callers: LinkCallers,
): Promise<LinkOutcome> {
  const spec = ctx.loaded.spec;
  const off = tierOff(ctx.db, link.id, ctx.day);
  if (off) {
    const reason = `tier off for ${off.day} since ${off.at} (${off.code}: ${off.reason})`;
    ctx.span.event("model.skipped", { link: link.id, model: link.model, code: "tier_disabled", reason });
    return { ok: false, code: "tier_disabled", reason };
  }
  const now = ctx.deps.clock.now();
  const key = { linkId: link.id, model: link.model };
  const gate = breakerGate(breakerRow(ctx.db, link.id, link.model), now, spec.limits.circuit_breaker_ticks);
  if (gate.state === "open") {
    const reason = `circuit open after ${gate.failedTicks} failed ticks in a row, until ${gate.until}`;
    ctx.span.event("model.skipped", { link: link.id, model: link.model, code: "circuit_open", reason });
    return { ok: false, code: "circuit_open", reason };
  }
  if (gate.state === "probe")
    ctx.span.event("model.circuit_probe", {
      link: link.id,
      model: link.model,
      failed_ticks: gate.failedTicks,
    });

  const outcome = await runLink(link, req, ctx, callers);

  const after = ctx.deps.clock.now();
  if (!outcome.ok && disablesTier(outcome.code)) {
    switchTierOff(ctx.db, {
      link_id: link.id,
      day: ctx.day,
      code: outcome.code,
      reason: outcome.reason.slice(0, 500),
      tick_id: ctx.tickId,
      at: after.toISOString(),
    });
    ctx.span.event("model.tier_disabled", {
      link: link.id,
      model: link.model,
      code: outcome.code,
      day: ctx.day,
      timezone: spec.timezone,
      reason: `${outcome.reason}; no more calls to this tier until the day ends`,
    });
  }
  if (outcome.ok || countsForBreaker(outcome.code)) {
    const result: { ok: true } | ({ ok: false } & Failure) = outcome.ok
      ? { ok: true }
      : { ok: false, code: outcome.code, reason: outcome.reason };
    const change = noteBreaker(ctx.db, key, result, after, {
      threshold: spec.limits.circuit_breaker_ticks,
      cooldownMs: spec.limits.circuit_cooldown_minutes * 60_000,
    });
    if (change !== "none")
      ctx.span.event(`model.circuit_${change}`, {
        link: link.id,
        model: link.model,
        threshold: spec.limits.circuit_breaker_ticks,
        cooldown_minutes: spec.limits.circuit_cooldown_minutes,
      });
  }
  return outcome;
}

function runLink(
  link: ModelLink,
  req: SynthesisRequest,
  ctx: ChainContext,
  callers: LinkCallers,
): Promise<LinkOutcome> {
  switch (link.kind) {
    case "ollama":
      return callers.ollama(link, req, ctx);
    case "openai":
      return callers.openai(link, req, ctx);
    case "extractive":
      return callers.extractive(link, req, ctx);
    default: {
      const never: never = link;
      throw new Error(`unknown link kind ${(never as ModelLink).kind}`);
    }
  }
}
