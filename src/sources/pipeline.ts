import { type Decoded, decodeFeed } from "./decode.ts";
import { type NormalizedFeed, normalizeFeed } from "./normalize.ts";
import { parseText } from "./parse.ts";

/** A feed read from bytes, with what decoding and the DOCTYPE guard had to do on the way. */
export interface FeedFromBytes {
  feed: NormalizedFeed;
  decoded: Omit<Decoded, "text">;
  doctypeStripped: boolean;
  declaredEntities: boolean;
}

/**
 * Bytes to a normalised feed: decode (BOM, Content-Type charset, XML declaration), strip any
 * DOCTYPE, parse, normalise. No I/O; throws FeedError (`encoding` or `parse`) on failure.
 * `baseUrl` is where the bytes came from (http(s) only), for resolving relative links.
 */
export function feedFromBytes(
  bytes: Uint8Array,
  contentType: string | null,
  baseUrl: string | null,
  summaryMax: number,
): FeedFromBytes {
  const { text, ...decoded } = decodeFeed(bytes, contentType);
  const parsed = parseText(text);
  const feed = normalizeFeed(parsed.parsed, { baseUrl, summaryMax });
  return {
    feed,
    decoded,
    doctypeStripped: parsed.doctypeStripped,
    declaredEntities: parsed.declaredEntities,
  };
}
