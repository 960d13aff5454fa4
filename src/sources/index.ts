import type { SourceSpec } from "../spec/schema.ts";
import type { Span } from "../trace/tracer.ts";
import { type Location, locate } from "./location.ts";
import { normalizeFeed } from "./normalize.ts";
import { parseText } from "./parse.ts";
import { FeedError, type FeedItem, type FetchContext, type SourceResult } from "./types.ts";

function asFeedError(err: unknown, timedOut: boolean, outer: AbortSignal): FeedError {
  if (err instanceof FeedError) return err;
  if (timedOut) return new FeedError("timeout", "timed out");
  if (outer.aborted) return new FeedError("aborted", "tick aborted");
  return new FeedError("network", err instanceof Error ? err.message : String(err));
}

async function readLocation(
  loc: Location,
  ctx: FetchContext,
  signal: AbortSignal,
): Promise<{ bytes: Uint8Array; status: number | null }> {
  if (loc.kind === "file") {
    const file = Bun.file(loc.path);
    if (!(await file.exists())) throw new FeedError("path", `no such file: ${loc.path}`);
    return { bytes: new Uint8Array(await file.arrayBuffer()), status: null };
  }
  const res = await ctx.deps.fetch(loc.url, {
    signal,
    headers: {
      "user-agent": `afk/${ctx.version} (+https://github.com/afk)`,
      accept:
        "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8",
    },
  });
  if (!res.ok) {
    await res.body?.cancel();
    throw new FeedError("http_status", `HTTP ${res.status}`, res.status);
  }
  return { bytes: new Uint8Array(await res.arrayBuffer()), status: res.status };
}

async function fetchOne(source: SourceSpec, ctx: FetchContext, span: Span): Promise<SourceResult> {
  const started = performance.now();
  const timeout = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    timeout.abort(new FeedError("timeout", `no complete response within ${source.timeout_s}s`));
  }, source.timeout_s * 1000);
  const signal = AbortSignal.any([ctx.signal, timeout.signal]);
  try {
    const loc = locate(source.url, ctx.loaded.dir);
    const { bytes, status } = await readLocation(loc, ctx, signal);
    const text = new TextDecoder("utf-8").decode(bytes);
    const feed = normalizeFeed(parseText(text), {
      baseUrl: loc.kind === "http" ? loc.url : null,
      summaryMax: ctx.loaded.spec.digest.summary_max_chars,
    });
    const sourceName = source.name ?? feed.title ?? source.id;
    const items: FeedItem[] = feed.items.map((i) => ({ ...i, sourceId: source.id, sourceName }));
    span.set({ items: items.length, status });
    span.end("ok");
    return {
      sourceId: source.id,
      ok: true,
      items,
      notModified: false,
      via: "primary",
      status,
      ms: Math.round(performance.now() - started),
    };
  } catch (err) {
    const fe = asFeedError(err, timedOut, ctx.signal);
    span.event(
      "source_failed",
      { source: source.id, code: fe.code, status: fe.status, optional: source.optional },
      fe,
    );
    span.end("error", fe);
    return {
      sourceId: source.id,
      ok: false,
      optional: source.optional,
      code: fe.code,
      error: fe.message,
      status: fe.status,
      ms: Math.round(performance.now() - started),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Fetches every source of the spec concurrently. Never throws: each source ends in an ok result
 * with normalised items or a failed result with a FeedError code, and a trace event on its span.
 */
export async function fetchSources(ctx: FetchContext): Promise<SourceResult[]> {
  return Promise.all(
    ctx.loaded.spec.sources.map((source) =>
      fetchOne(source, ctx, ctx.span.child(`source:${source.id}`, { source: source.id })),
    ),
  );
}
