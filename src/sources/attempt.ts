import type { SourceSpec } from "../spec/schema.ts";
import type { Span } from "../trace/tracer.ts";
import { validatorsFor } from "./health.ts";
import { toFeedError } from "./http.ts";
import { feedFromBytes } from "./pipeline.ts";
import { locate, readLocation } from "./read.ts";
import type { SharedFetch } from "./shared.ts";
import { FeedError, type FeedItem, type FetchContext, type Validators } from "./types.ts";

/** A successful read of one URL (primary or backup). */
export interface AttemptResult {
  items: FeedItem[];
  notModified: boolean;
  /** HTTP status, null for a local file. */
  status: number | null;
  /** Validators to keep for this URL, or null to keep what is stored. */
  validators: (Validators & { url: string }) | null;
}

/** The User-Agent afk sends: names afk and its version, with a link for server operators. */
export function userAgent(version: string): string {
  return `afk/${version} (+https://github.com/afk; feed digest)`;
}

/**
 * Fetches one URL of a source within its own `timeout_s` budget (connect, headers, body and the
 * one retry), then decodes, parses and normalises it. Every failure is thrown as a FeedError.
 * The body's bytes are held in `shared.budget` until it has been parsed, then given back.
 */
export async function attempt(
  url: string,
  source: SourceSpec,
  ctx: FetchContext,
  span: Span,
  shared: SharedFetch,
): Promise<AttemptResult> {
  const budgetMs = source.timeout_s * 1000;
  const deadline = performance.now() + budgetMs;
  const timeout = new AbortController();
  const timer = setTimeout(
    () => timeout.abort(new FeedError("timeout", `no complete response within ${source.timeout_s}s`)),
    budgetMs,
  );
  const signal = AbortSignal.any([ctx.signal, timeout.signal]);
  const lease = shared.budget.lease();
  try {
    const loc = locate(url, ctx.loaded.dir);
    const validators = loc.kind === "http" ? validatorsFor(shared.validators, source.id, loc.url) : null;
    const res = await readLocation(loc, {
      fetch: ctx.deps.fetch,
      signal,
      deadline,
      budgetMs,
      maxBytes: source.max_bytes,
      lease,
      userAgent: userAgent(ctx.version),
      validators,
      specDir: ctx.loaded.dir,
      now: () => ctx.deps.clock.now(),
      span,
    });
    const status = loc.kind === "http" ? res.status : null;
    if (res.redirects > 0) span.set({ redirects: res.redirects });
    if (res.notModified || res.body === null)
      return { items: [], notModified: true, status, validators: null };
    const baseUrl = loc.kind === "http" ? res.url : null;
    const { feed, decoded, ...guard } = feedFromBytes(
      res.body,
      res.contentType,
      baseUrl,
      ctx.loaded.spec.digest.summary_max_chars,
    );
    if (decoded.replaced) span.event("encoding_replaced", { encoding: decoded.encoding, from: decoded.from });
    if (decoded.ignoredLabels.length > 0)
      span.event("encoding_label_ignored", { labels: decoded.ignoredLabels });
    if (guard.doctypeStripped) span.event("doctype_stripped", { declared_entities: guard.declaredEntities });
    const sourceName = source.name ?? feed.title ?? source.id;
    const items = feed.items.map((i) => ({ ...i, sourceId: source.id, sourceName }));
    return {
      items,
      notModified: false,
      status,
      validators: loc.kind === "http" ? { ...res.validators, url: loc.url } : null,
    };
  } catch (err) {
    throw toFeedError(err, signal);
  } finally {
    clearTimeout(timer);
    lease.release();
  }
}
