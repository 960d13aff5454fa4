import type { Failure } from "../models/failure.ts";
import { countsForBreaker, disablesTier } from "../models/failure.ts";
import { breakerGate, breakerRow, noteBreaker, switchTierOff, tierOff } from "../models/state.ts";
import type { ModelLink, OllamaLinkSpec, OpenAiLinkSpec } from "../spec/schema.ts";
import type { Span } from "../trace/tracer.ts";
import { forwardOllama, forwardPaid, type ProxyContext } from "./upstream.ts";
import type { ProxyReply, ProxyRequest } from "./wire.ts";

export type ModelLinkSpec = OllamaLinkSpec | OpenAiLinkSpec;

const untagged = (m: string) => m.replace(/:latest$/, "");

/**
 * The links a request may use, in order: from the link whose `model` (or `id`) the request
 * names to the end of the chain. A model the spec does not name starts at the chain's first
 * model link (README). The extractive link needs no model and is not a proxy target.
 */
export function linksFor(models: readonly ModelLink[], asked: string): ModelLinkSpec[] {
  const usable = models.filter((l): l is ModelLinkSpec => l.kind !== "extractive");
  const at = usable.findIndex((l) => untagged(l.model) === untagged(asked) || l.id === asked);
  return usable.slice(Math.max(0, at));
}

export type Sent<T> = ({ ok: true } & T) | { ok: false; failure: Failure };

/** How a request is sent to one link of each kind: whole (`wholeSenders`) or as a stream. */
export interface Senders<T> {
  openai: (link: OpenAiLinkSpec, req: ProxyRequest, ctx: ProxyContext, span: Span) => Promise<Sent<T>>;
  ollama: (link: OllamaLinkSpec, req: ProxyRequest, ctx: ProxyContext, span: Span) => Promise<Sent<T>>;
}

export const wholeSenders: Senders<{ reply: ProxyReply }> = {
  openai: (link, req, ctx, span) => forwardPaid(link, req, ctx, span, 1),
  ollama: (link, req, ctx, span) => forwardOllama(link, req, ctx, span, 1),
};

/**
 * Forwards one request along its links as the built-in chain does: a link switched off for
 * the day or behind an open circuit breaker is skipped, a failure hands over to the next link
 * (a `model.fallback` event), a 401 or exhausted quota switches the tier off, and each outcome
 * is noted on the link's breaker.
 */
export async function forward<T>(
  req: ProxyRequest,
  ctx: ProxyContext,
  span: Span,
  send: Senders<T>,
): Promise<Sent<T>> {
  const spec = ctx.loaded.spec;
  const links = linksFor(spec.models, req.model);
  let last: Failure = { code: "not_found", reason: `no model link in the spec can serve ${req.model}` };
  for (const [i, link] of links.entries()) {
    if (ctx.signal.aborted) return { ok: false, failure: { code: "aborted", reason: "the tick stopped" } };
    const r = await viaLink(link, req, ctx, span, send);
    if (r.ok) {
      span.set({ link: link.id, upstream_model: link.model });
      return r;
    }
    last = r.failure;
    const next = links[i + 1];
    span.event("model.fallback", {
      from: link.id,
      from_model: link.model,
      to: next?.id ?? null,
      to_model: next?.model ?? null,
      code: r.failure.code,
      reason: r.failure.reason,
    });
  }
  return { ok: false, failure: last };
}

async function viaLink<T>(
  link: ModelLinkSpec,
  req: ProxyRequest,
  ctx: ProxyContext,
  span: Span,
  send: Senders<T>,
): Promise<Sent<T>> {
  const spec = ctx.loaded.spec;
  const off = tierOff(ctx.db, link.id, ctx.day);
  if (off) {
    const reason = `tier off for ${off.day} since ${off.at} (${off.code}: ${off.reason})`;
    span.event("model.skipped", { link: link.id, model: link.model, code: "tier_disabled", reason });
    return { ok: false, failure: { code: "tier_disabled", reason } };
  }
  const gate = breakerGate(
    breakerRow(ctx.db, link.id, link.model),
    ctx.deps.clock.now(),
    spec.limits.circuit_breaker_ticks,
  );
  if (gate.state === "open") {
    const reason = `circuit open after ${gate.failedTicks} failures in a row, until ${gate.until}`;
    span.event("model.skipped", { link: link.id, model: link.model, code: "circuit_open", reason });
    return { ok: false, failure: { code: "circuit_open", reason } };
  }
  const r =
    link.kind === "openai"
      ? await send.openai(link, req, ctx, span)
      : await send.ollama(link, req, ctx, span);
  const now = ctx.deps.clock.now();
  if (!r.ok && disablesTier(r.failure.code)) {
    switchTierOff(ctx.db, {
      link_id: link.id,
      day: ctx.day,
      code: r.failure.code,
      reason: r.failure.reason.slice(0, 500),
      tick_id: ctx.tickId,
      at: now.toISOString(),
    });
    span.event("model.tier_disabled", {
      link: link.id,
      model: link.model,
      code: r.failure.code,
      day: ctx.day,
    });
  }
  if (r.ok || countsForBreaker(r.failure.code)) {
    const change = noteBreaker(
      ctx.db,
      { linkId: link.id, model: link.model },
      r.ok ? { ok: true } : { ok: false, ...r.failure },
      now,
      {
        threshold: spec.limits.circuit_breaker_ticks,
        cooldownMs: spec.limits.circuit_cooldown_minutes * 60_000,
      },
    );
    if (change !== "none") span.event(`model.circuit_${change}`, { link: link.id, model: link.model });
  }
  return r;
}

/** The HTTP status a failure is answered with (the body says the rest in the job's dialect). */
export function statusOf(f: Failure): { status: number; code: string | null } {
  switch (f.code) {
    case "over_budget":
    case "quota":
      return { status: 429, code: "insufficient_quota" };
    case "rate_limit":
      return { status: 429, code: "rate_limit_exceeded" };
    case "not_found":
      return { status: 404, code: "model_not_found" };
    case "http_4xx":
    case "invalid_draft":
      return { status: 400, code: null };
    case "busy":
    case "aborted":
    case "circuit_open":
    case "tier_disabled":
    case "overrun":
      return { status: 503, code: null };
    case "timeout":
      return { status: 504, code: null };
    case "unauthorized":
    case "no_key":
    case "no_price":
    case "http_5xx":
    case "network":
    case "bad_reply":
      return { status: 502, code: null };
    default: {
      const never: never = f.code;
      return never;
    }
  }
}
