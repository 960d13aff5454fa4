import type { SourceSpec } from "../spec/schema.ts";
import type { Span } from "../trace/tracer.ts";
import { type AttemptResult, attempt } from "./attempt.ts";
import type { HealthRecord, HealthUpdate } from "./health.ts";
import { capText, cleanText } from "./sanitize.ts";
import type { SharedFetch } from "./shared.ts";
import { FeedError, type FetchContext, type SourceResult } from "./types.ts";

function record(ctx: FetchContext, source: SourceSpec, health: HealthRecord[], update: HealthUpdate): void {
  health.push({ sourceId: source.id, at: ctx.deps.clock.now(), update });
}

function failed(span: Span, source: SourceSpec, via: "primary" | "backup", err: FeedError): void {
  span.event(
    "source_failed",
    { source: source.id, via, code: err.code, status: err.status, optional: source.optional },
    err,
  );
}

/**
 * One source end to end: the primary URL, and on any failure the backup URL if the spec gives one.
 * Never throws. Each failure is a `source_failed` event on the source's span, a fall-over is a
 * `source_backup` event, and the outcome is added to `shared.health` (the caller writes every
 * source's to `source_health` at once). Bodies count against `shared.budget`, the tick's fetch
 * budget shared with the other sources.
 */
export async function fetchSource(
  source: SourceSpec,
  ctx: FetchContext,
  shared: SharedFetch,
): Promise<SourceResult> {
  const health = shared.health;
  const span = ctx.span.child(`source:${source.id}`, { source: source.id, optional: source.optional });
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  let via: "primary" | "backup" = "primary";
  let ok: AttemptResult | null = null;
  let error: FeedError | null = null;
  try {
    ok = await attempt(source.url, source, ctx, span, shared);
  } catch (err) {
    error = err as FeedError;
    failed(span, source, "primary", error);
  }
  if (ok === null && error !== null && source.backup !== undefined && !ctx.signal.aborted) {
    span.event("source_backup", { source: source.id, primary_code: error.code });
    via = "backup";
    try {
      ok = await attempt(source.backup, source, ctx, span, shared);
    } catch (err) {
      const backupError = err as FeedError;
      failed(span, source, "backup", backupError);
      const message = `primary: ${error.message}; backup: ${backupError.message}`;
      error = new FeedError(backupError.code, message, backupError.status);
    }
  }
  if (ok !== null) {
    const outcome = ok.notModified ? "not_modified" : "ok";
    record(ctx, source, health, {
      outcome,
      status: ok.status,
      via,
      items: ok.items.length,
      validators: null, // kept by the tick that delivers these items, not at fetch time
    });
    span.set({ via, items: ok.items.length, status: ok.status, not_modified: ok.notModified });
    span.end("ok");
    return {
      sourceId: source.id,
      ok: true,
      items: ok.items,
      notModified: ok.notModified,
      via,
      status: ok.status,
      ms: ms(),
      validators: ok.validators,
    };
  }
  // Parser messages can quote the feed: keep them one clean line before they reach a page or the ledger.
  const err = error as FeedError;
  const message = capText(cleanText(err.message), 500);
  // A killed tick says nothing about the source, so it does not count against its health.
  if (err.code !== "aborted") {
    record(ctx, source, health, { outcome: "failed", status: err.status, code: err.code, error: message });
  }
  span.set({ via, code: err.code, status: err.status });
  span.end("error", err);
  return {
    sourceId: source.id,
    ok: false,
    optional: source.optional,
    code: err.code,
    error: message,
    status: err.status,
    ms: ms(),
  };
}
