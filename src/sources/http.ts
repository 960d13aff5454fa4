import { parseRetryAfter } from "../core/retry-after.ts";
import { type BudgetLease, overBudget } from "./byte-budget.ts";
import { dnsResolve, privateAddressesOf, type Resolve } from "./private-net.ts";
import { FeedError, type Validators } from "./types.ts";

export interface HttpOptions {
  fetch: typeof fetch;
  /** Aborts everything: the source's deadline and the tick's own signal combined. */
  signal: AbortSignal;
  maxBytes: number;
  /** Where the body's bytes are claimed from: the tick's fetch budget. */
  lease: BudgetLease;
  userAgent: string;
  validators: Validators | null;
  maxRedirects: number;
  /** Wall clock, for Retry-After given as a date. */
  now: () => Date;
  /** Name resolution for the redirect check; default the system resolver. */
  resolve?: Resolve;
}

export interface HttpResult {
  /** The final status: 2xx, or 304 when `notModified`. */
  status: number;
  /** The URL the body came from, after redirects: the base for relative links. */
  url: string;
  contentType: string | null;
  /** Null when not modified. */
  body: Uint8Array | null;
  notModified: boolean;
  validators: Validators;
  redirects: number;
}

/** An HTTP status failure that may carry the server's Retry-After hint. */
export class HttpStatusError extends FeedError {
  constructor(
    status: number,
    readonly retryAfterMs: number | null,
  ) {
    super("http_status", `HTTP ${status}`, status);
  }
}

const ACCEPT =
  "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5";

/** Turns whatever a fetch or read threw into a FeedError, telling our deadline from the tick's abort. */
export function toFeedError(err: unknown, signal: AbortSignal): FeedError {
  if (signal.aborted) {
    return signal.reason instanceof FeedError ? signal.reason : new FeedError("aborted", "tick aborted");
  }
  if (err instanceof FeedError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new FeedError("network", message.split("\n")[0] ?? "network error");
}

/**
 * Reads a body stream, counting bytes as they arrive and claiming each chunk from `lease`. Past
 * `maxBytes`, or past the tick's fetch budget, the stream is cancelled (the server stops sending)
 * and a `too_large` FeedError thrown. An abort cancels the read too.
 */
export async function readCapped(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  lease: BudgetLease,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const reader = body.getReader();
  const onAbort = () => {
    reader.cancel(signal.reason).catch(() => {});
  };
  signal.addEventListener("abort", onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) throw signal.reason;
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw new FeedError("too_large", `body exceeds max_bytes (${maxBytes} bytes)`);
      if (!lease.claim(value.byteLength)) throw overBudget(lease.limit);
      chunks.push(value);
    }
  } catch (err) {
    // The chunks go with this throw: hand their bytes back before waiting, so other sources can use them.
    lease.release();
    await reader.cancel().catch(() => {});
    throw err;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/**
 * The body's length when HTTP/1.1 frames it by Content-Length alone, so a read cannot pass it:
 * a valid Content-Length within `maxBytes`, not chunked (chunked framing wins over the header)
 * and not content-encoded (the decoded body can be any size). Null otherwise.
 */
export function framedLength(headers: Headers, maxBytes: number): number | null {
  const declared = headers.get("content-length");
  if (declared === null || !/^\d+$/.test(declared)) return null;
  if (headers.get("transfer-encoding") !== null || headers.get("content-encoding") !== null) return null;
  const length = Number(declared);
  return length <= maxBytes ? length : null;
}

/**
 * A 2xx response's body. One framed by its Content-Length (framedLength) is claimed from the
 * lease at once and read whole by fetch: a stream reader's chunk loop cost about a tenth of a
 * source's CPU per tick, for bodies that mostly arrive in one chunk. Anything else, or a length the
 * tick's budget cannot hold yet, is read chunk by chunk under both caps (readCapped).
 */
async function readBody(res: Response, opts: HttpOptions): Promise<Uint8Array> {
  if (res.body === null) return new Uint8Array(0);
  const length = framedLength(res.headers, opts.maxBytes);
  if (length === null || !opts.lease.claim(length))
    return readCapped(res.body, opts.maxBytes, opts.lease, opts.signal);
  let body: Uint8Array;
  try {
    body = await res.bytes();
  } catch (err) {
    opts.lease.release(); // as readCapped: the bytes go with this throw, other sources may use them
    throw err;
  }
  // Unreachable over HTTP/1.1; kept so no framing (Bun's experimental HTTP/2) ever passes the cap.
  if (body.byteLength > length) throw new FeedError("network", "body longer than its Content-Length");
  return body;
}

function requestHeaders(opts: HttpOptions): Record<string, string> {
  const headers: Record<string, string> = { "user-agent": opts.userAgent, accept: ACCEPT };
  if (opts.validators?.etag) headers["if-none-match"] = opts.validators.etag;
  if (opts.validators?.lastModified) headers["if-modified-since"] = opts.validators.lastModified;
  return headers;
}

/**
 * A redirect into a loopback, private or link-local address (169.254.169.254 is the cloud's metadata
 * service) is refused, unless the source itself was configured in such a range (a feed on the LAN).
 */
async function refusePrivateRedirect(configured: string, next: URL, resolve: Resolve, status: number) {
  const target = await privateAddressesOf(next, resolve);
  if (target.length === 0) return;
  if ((await privateAddressesOf(new URL(configured), resolve)).length > 0) return;
  throw new FeedError(
    "redirects",
    `redirect to ${next.host} (${target[0]}, a private or loopback address) refused: the source is not configured in a private range`,
    status,
  );
}

/**
 * One GET with redirects followed by hand (at most `maxRedirects`, http(s) targets only),
 * a conditional request when validators are given, and the body read under the byte cap.
 * Throws FeedError for every failure; network errors come back as `network`.
 */
export async function httpGet(url: string, opts: HttpOptions): Promise<HttpResult> {
  let current = url;
  try {
    for (let redirects = 0; ; redirects++) {
      const res = await opts.fetch(current, {
        method: "GET",
        redirect: "manual",
        signal: opts.signal,
        headers: requestHeaders(opts),
      });
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && res.status !== 304 && location !== null) {
        await res.body?.cancel().catch(() => {});
        if (redirects >= opts.maxRedirects)
          throw new FeedError("redirects", `more than ${opts.maxRedirects} redirects`, res.status);
        const next = new URL(location, current);
        if (next.protocol !== "http:" && next.protocol !== "https:") {
          throw new FeedError(
            "scheme",
            `redirect to '${next.protocol}' refused (only http and https)`,
            res.status,
          );
        }
        await refusePrivateRedirect(url, next, opts.resolve ?? dnsResolve, res.status);
        current = next.href;
        continue;
      }
      const validators = { etag: res.headers.get("etag"), lastModified: res.headers.get("last-modified") };
      const base = { url: current, contentType: res.headers.get("content-type"), validators, redirects };
      if (res.status === 304 && opts.validators !== null) {
        await res.body?.cancel().catch(() => {});
        return { ...base, status: 304, body: null, notModified: true, validators: opts.validators };
      }
      if (res.status < 200 || res.status > 299) {
        await res.body?.cancel().catch(() => {});
        throw new HttpStatusError(
          res.status,
          parseRetryAfter(res.headers.get("retry-after"), opts.now().getTime()),
        );
      }
      const declared = Number(res.headers.get("content-length"));
      if (Number.isFinite(declared) && declared > opts.maxBytes && !res.headers.get("content-encoding")) {
        await res.body?.cancel().catch(() => {});
        throw new FeedError(
          "too_large",
          `Content-Length ${declared} exceeds max_bytes (${opts.maxBytes} bytes)`,
          res.status,
        );
      }
      const body = await readBody(res, opts);
      return { ...base, status: res.status, body, notModified: false };
    }
  } catch (err) {
    throw toFeedError(err, opts.signal);
  }
}
