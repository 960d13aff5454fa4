import { formatUsd, tokenCost } from "../core/money.ts";
import type { OpenAiLinkSpec } from "../spec/schema.ts";
import type { Span } from "../trace/tracer.ts";
import {
  inputTokenBound,
  type Prices,
  pricesOf,
  reservationMicros,
  reserve,
  type Settlement,
  settle,
} from "./budget.ts";
import { setCallOutcome } from "./calls.ts";
import { judged, type LinkCaller, type Repaired } from "./chain.ts";
import { validateDraft } from "./draft.ts";
import type { Failure } from "./failure.ts";
import { draftLimits } from "./limits.ts";
import { type AttemptResult, withRetries } from "./link-retry.ts";
import { openAiChat, type PaidResult } from "./openai-http.ts";
import {
  formatTokenBound,
  paidRequestBody,
  partValue,
  refusedPart,
  type ShapeMemory,
  type ShapePart,
  stepDown,
  type WireShape,
} from "./openai-shape.ts";
import { buildMessages, type ChatMessage } from "./prompt.ts";
import type { ChainContext, LinkOutcome, SynthesisRequest } from "./types.ts";

/**
 * The paid OpenAI-compatible link. Refused before any request when the spec gives no price
 * (no worst case can be reserved: fail closed) or the key's variable is unset. Each attempt
 * reserves its worst case against the day's cap first; one that does not fit is never sent.
 * The request's shape (`max_completion_tokens` or `max_tokens`, strict `json_schema` or
 * `json_object`) starts at today's API and steps down when the server refuses a part of it;
 * `memory` keeps what was learned for the process's life.
 */
export function openAiCaller(memory: ShapeMemory): LinkCaller<OpenAiLinkSpec> {
  return async (link, req, ctx) => {
    const prices = pricesOf(link);
    if (!prices)
      return refuse(ctx, link, {
        code: "no_price",
        reason: "the spec gives no price for this model; a paid call with no price is never made",
      });
    const apiKey = ctx.deps.env[link.api_key_env];
    if (!apiKey) return refuse(ctx, link, { code: "no_key", reason: `${link.api_key_env} is not set` });
    const spec = ctx.loaded.spec;
    const messages = buildMessages(spec.name, req.candidates, spec.digest.summary_max_chars);
    const r = await withRetries(ctx, link, (attempt) =>
      paidAttempt({ link, req, ctx, prices, apiKey, messages, memory }, attempt),
    );
    return r.ok
      ? { ok: true, draft: r.value.draft, repairs: r.value.repairs }
      : { ok: false, code: r.failure.code, reason: r.failure.reason };
  };
}

function refuse(ctx: ChainContext, link: OpenAiLinkSpec, f: Failure): LinkOutcome {
  ctx.span.event("model.refused", { link: link.id, model: link.model, code: f.code, reason: f.reason });
  return { ok: false, code: f.code, reason: f.reason };
}

interface Paid {
  link: OpenAiLinkSpec;
  req: SynthesisRequest;
  ctx: ChainContext;
  prices: Prices;
  apiKey: string;
  messages: ChatMessage[];
  memory: ShapeMemory;
}

/**
 * One attempt: a request in the learned shape; a refusal of one of its parts (a 400 naming it)
 * steps that part down, remembers it and sends again at once, each part at most once. Every
 * request is its own reserved and settled call.
 */
async function paidAttempt(p: Paid, attempt: number): Promise<AttemptResult<Repaired>> {
  const { link, ctx } = p;
  const stepped = new Set<ShapePart>();
  for (;;) {
    const shape = p.memory.get(link);
    const sent = await sendOnce(p, attempt, shape);
    if (!sent.ok) return sent;
    const { result, span, callId } = sent;
    if (result.kind === "http_error" && result.error) {
      const part = refusedPart(result.status, result.error, shape);
      const next = part && !stepped.has(part) ? stepDown(shape, part) : null;
      if (part && next) {
        stepped.add(part);
        p.memory.set(link, next);
        setCallOutcome(ctx.db, callId, "param_refused");
        span.set({ outcome: "param_refused" });
        span.end("error", new Error(`${result.status}: ${result.failure.reason}`));
        ctx.span.event("model.param_fallback", {
          link: link.id,
          model: link.model,
          part,
          from: partValue(shape, part),
          to: partValue(next, part),
          status: result.status,
          reason: result.failure.reason,
        });
        continue;
      }
    }
    if (result.kind !== "reply") {
      span.set({ outcome: result.failure.code });
      span.end("error", new Error(`${result.failure.code}: ${result.failure.reason}`));
      return { ok: false, failure: result.failure };
    }
    const out = result.usage?.tokensOut ?? 0;
    if (out > link.max_output_tokens && shape.tokens === "max_completion_tokens") {
      // The server ignored the bound it did not know: the next request uses the older name.
      p.memory.set(link, { ...shape, tokens: "max_tokens" });
      ctx.span.event("model.param_ignored", {
        link: link.id,
        model: link.model,
        part: "tokens",
        from: "max_completion_tokens",
        to: "max_tokens",
        completion_tokens: out,
        max_output_tokens: link.max_output_tokens,
      });
    }
    const verdict = validateDraft(result.content, p.req.candidates, draftLimits(ctx.loaded.spec));
    const outcome = verdict.ok ? "ok" : "invalid_draft";
    setCallOutcome(ctx.db, callId, outcome);
    span.set({ outcome, finish_reason: result.finishReason });
    return judged(span, link.id, verdict);
  }
}

type Sent = { ok: true; result: PaidResult; span: Span; callId: number } | { ok: false; failure: Failure };

/** Reserves the worst case of one request in `shape`, sends it, and settles what it cost. */
async function sendOnce(p: Paid, attempt: number, shape: WireShape): Promise<Sent> {
  const { link, ctx, prices } = p;
  const inputBound = inputTokenBound(p.messages) + formatTokenBound(shape.format);
  const reservedMicros = reservationMicros(prices, inputBound, link.max_output_tokens);
  const startedAt = ctx.deps.clock.now().toISOString();
  const booked = reserve(ctx.db, {
    tickId: ctx.tickId,
    day: ctx.day,
    linkId: link.id,
    model: link.model,
    attempt,
    reservedMicros,
    capMicros: ctx.capMicros,
    startedAt,
  });
  if (!booked.ok) {
    const reason = `worst case ${formatUsd(reservedMicros)} does not fit: ${formatUsd(booked.spentBefore)} of the ${ctx.day} cap ${formatUsd(ctx.capMicros)} already spent or reserved`;
    ctx.span.event("budget.refused", {
      link: link.id,
      model: link.model,
      attempt,
      reserved_micros: reservedMicros,
      spent_micros: booked.spentBefore,
      cap_micros: ctx.capMicros,
      reason,
    });
    return { ok: false, failure: { code: "over_budget", reason } };
  }
  const span = ctx.span.child("model.call", {
    link: link.id,
    kind: "openai",
    model: link.model,
    attempt,
    reserved_micros: reservedMicros,
    tokens_param: shape.tokens,
    response_format: shape.format,
  });
  const result = await openAiChat(link, paidRequestBody(link, p.messages, shape), {
    fetch: ctx.deps.fetch,
    apiKey: p.apiKey,
    signal: ctx.signal,
    now: () => ctx.deps.clock.now(),
  });
  // The cost is recorded the moment the call returns, before the draft is looked at.
  const bill = billOf(result, prices, ctx.deps.clock.now().toISOString());
  const cost = settle(ctx.db, booked.callId, bill);
  span.set({ state: bill.state, cost_micros: cost, tokens_in: bill.tokensIn, tokens_out: bill.tokensOut });
  return { ok: true, result, span, callId: booked.callId };
}

/**
 * What a paid attempt costs. Reported usage settles it. A reply without usage, a cut or
 * unreadable body, a timeout after sending and a 5xx are charged the full reservation: the
 * provider may have billed work afk cannot see. A 4xx is a refusal (nothing generated) and a
 * refused connection never sent anything: both settle at zero.
 */
export function billOf(result: PaidResult, prices: Prices, endedAt: string): Settlement {
  switch (result.kind) {
    case "reply":
      if (!result.usage)
        return {
          state: "charged_full",
          costMicros: 0,
          tokensIn: null,
          tokensOut: null,
          outcome: "usage_missing",
          endedAt,
        };
      return {
        state: "settled",
        costMicros:
          tokenCost(result.usage.tokensIn, prices.inPerMtok) +
          tokenCost(result.usage.tokensOut, prices.outPerMtok),
        tokensIn: result.usage.tokensIn,
        tokensOut: result.usage.tokensOut,
        outcome: "replied",
        endedAt,
      };
    case "http_error":
      return result.status >= 500
        ? {
            state: "charged_full",
            costMicros: 0,
            tokensIn: null,
            tokensOut: null,
            outcome: result.failure.code,
            endedAt,
          }
        : {
            state: "settled",
            costMicros: 0,
            tokensIn: null,
            tokensOut: null,
            outcome: result.failure.code,
            endedAt,
          };
    case "no_reply":
      return {
        state: result.sent ? "charged_full" : "settled",
        costMicros: 0,
        tokensIn: null,
        tokensOut: null,
        outcome: result.failure.code,
        endedAt,
      };
    default: {
      const never: never = result;
      return never;
    }
  }
}
