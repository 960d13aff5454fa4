import { realpathSync } from "node:fs";
import { isAbsolute, relative, sep } from "node:path";
import { sleep } from "../core/wait.ts";
import { classifyLocation, type Location } from "../spec/location.ts";
import type { Span } from "../trace/tracer.ts";
import { type BudgetLease, overBudget } from "./byte-budget.ts";
import { isTransient, retryDelay, retryFits } from "./fetch-retry.ts";
import { type HttpResult, httpGet, toFeedError } from "./http.ts";
import { FeedError, type Validators } from "./types.ts";

/** Everything a read needs besides the location. */
export interface ReadOptions {
  fetch: typeof fetch;
  signal: AbortSignal;
  /** performance.now() value by which the whole read must be done. */
  deadline: number;
  budgetMs: number;
  maxBytes: number;
  /** The attempt's share of the tick's fetch budget; bodies are claimed from it. */
  lease: BudgetLease;
  userAgent: string;
  validators: Validators | null;
  specDir: string;
  now: () => Date;
  span: Span;
}

/** A source url's location (spec/location.ts), or its refusal as a FeedError of the same code. */
export function locate(raw: string, specDir: string): Location {
  const where = classifyLocation(raw, specDir);
  if ("code" in where) throw new FeedError(where.code, where.message);
  return where;
}

/** At most this many redirects per request. */
export const MAX_REDIRECTS = 5;

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** Reads a local feed file, refusing symlinks that lead outside the spec's folder and files over the cap. */
async function readFile(path: string, opts: ReadOptions): Promise<HttpResult> {
  let real: string;
  let root: string;
  try {
    real = realpathSync(path);
    root = realpathSync(opts.specDir);
  } catch {
    throw new FeedError("path", `no such file: ${path}`);
  }
  if (!inside(root, real)) throw new FeedError("path", `file ${path} leads outside the spec's folder`);
  const file = Bun.file(real);
  if (file.size > opts.maxBytes)
    throw new FeedError("too_large", `file exceeds max_bytes (${opts.maxBytes} bytes)`);
  if (!opts.lease.claim(file.size)) throw overBudget(opts.lease.limit);
  try {
    const body = new Uint8Array(await file.arrayBuffer());
    const none = { etag: null, lastModified: null };
    return {
      status: 0,
      url: "",
      contentType: null,
      body,
      notModified: false,
      validators: none,
      redirects: 0,
    };
  } catch (err) {
    throw new FeedError("path", `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** GET with one bounded retry for transient failures (network, 5xx, 429) inside the time budget. */
async function readHttp(url: string, opts: ReadOptions): Promise<HttpResult> {
  const get = () =>
    httpGet(url, {
      fetch: opts.fetch,
      signal: opts.signal,
      maxBytes: opts.maxBytes,
      lease: opts.lease,
      userAgent: opts.userAgent,
      validators: opts.validators,
      maxRedirects: MAX_REDIRECTS,
      now: opts.now,
    });
  try {
    return await get();
  } catch (err) {
    const fe = toFeedError(err, opts.signal);
    const delay = retryDelay(fe);
    if (!isTransient(fe) || !retryFits(delay, opts.deadline - performance.now(), opts.budgetMs)) throw fe;
    opts.span.event("source_retry", { code: fe.code, status: fe.status, delay_ms: Math.round(delay) }, fe);
    try {
      await sleep(delay, opts.signal);
      if (opts.signal.aborted) throw opts.signal.reason;
      return await get();
    } catch (retryErr) {
      throw toFeedError(retryErr, opts.signal);
    }
  }
}

/** Reads the raw bytes of a feed from where it lives. A local file has status 0 and no URL. */
export function readLocation(loc: Location, opts: ReadOptions): Promise<HttpResult> {
  return loc.kind === "file" ? readFile(loc.path, opts) : readHttp(loc.url, opts);
}
