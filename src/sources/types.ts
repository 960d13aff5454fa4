import type { Database } from "bun:sqlite";
import type { Deps } from "../core/deps.ts";
import type { LoadedSpec } from "../spec/load.ts";
import type { Span } from "../trace/tracer.ts";

/** Validators from the last successful fetch of the same URL, for a conditional GET. */
export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

/** One feed entry after normalisation. Nothing feed-derived reaches a model, digest or page any other way. */
export interface FeedItem {
  /** Dedupe key: guid/id, else the normalised link, prefixed by nothing else. */
  identity: string;
  title: string;
  /** Absolute http(s) URL, or null when the entry had none usable. */
  link: string | null;
  /** ISO 8601 UTC, or null when unknown. */
  published: string | null;
  /** Plain text: no HTML, entities decoded, no control characters, length capped. */
  summary: string;
  sourceId: string;
  sourceName: string;
}

export const FEED_ERROR_CODES = [
  "timeout",
  "too_large",
  "http_status",
  "network",
  "redirects",
  "scheme",
  "path",
  "encoding",
  "parse",
  "aborted",
] as const;
export type FeedErrorCode = (typeof FEED_ERROR_CODES)[number];

/** afk's own typed feed error: what went wrong with one source, in words an operator can act on. */
export class FeedError extends Error {
  override name = "FeedError";
  constructor(
    readonly code: FeedErrorCode,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

export type SourceResult =
  | {
      sourceId: string;
      ok: true;
      items: FeedItem[];
      /** 304 Not Modified: no new items, not an error. */
      notModified: boolean;
      via: "primary" | "backup";
      status: number | null;
      ms: number;
      /**
       * Validators of this 200 (with the URL they belong to), stored only by the tick that
       * delivers these items (storeValidators): a tick that dies first leaves the old ones, so
       * the next tick is sent the items again instead of a 304.
       */
      validators: (Validators & { url: string }) | null;
    }
  | {
      sourceId: string;
      ok: false;
      optional: boolean;
      code: FeedErrorCode;
      error: string;
      status: number | null;
      ms: number;
    };

export interface FetchContext {
  loaded: LoadedSpec;
  db: Database;
  deps: Deps;
  /** The tick's `fetch` span; each source gets a child span. */
  span: Span;
  signal: AbortSignal;
  /** afk version for the User-Agent. */
  version: string;
}
