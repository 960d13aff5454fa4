import { join } from "../core/path-light.ts";
import { isZoneTable, registerZoneTable, type ZoneTable } from "../core/zone-table.ts";
import type { Spec } from "./schema.ts";
import { sha256Hex } from "./text.ts";

/**
 * What a validated spec looks like, as a fingerprint of SpecSchema's JSON Schema (keys, types,
 * defaults, bounds). A test recomputes it: change the schema and the test names the new value,
 * so a cache written by an older afk is never read as the new shape. A change to a refine
 * (cron pattern, time zone, unique ids) does not show in JSON Schema: bump CACHE_FORMAT then.
 */
export const SPEC_SCHEMA_FINGERPRINT = "35f1a1a606725570";
const CACHE_FORMAT = "afk-spec-cache 2";

/**
 * What a cache entry holds: the validated spec, and its time zone's offsets around the day it was
 * cached (null for UTC), so a cold start knows the zone's wall clock without ICU.
 */
export interface CachedEntry {
  readonly spec: Spec;
  readonly zone: ZoneTable | null;
}

/** Where validated specs are cached under AFK_HOME. */
export function specCacheDir(home: string): string {
  return join(home, ".cache", "afk");
}

/**
 * The cache key: the spec's exact bytes, the folder its relative sources resolve against (a source
 * must lie under it), afk's version and the schema's shape.
 */
export function specCacheKey(text: string, version: string, dir: string): string {
  return sha256Hex(CACHE_FORMAT, "\0", version, "\0", SPEC_SCHEMA_FINGERPRINT, "\0", dir, "\0", text);
}

/** The one file that may hold the spec validated for `key`. */
export function specCachePath(home: string, key: string): string {
  return join(specCacheDir(home), `spec-${key.slice(0, 32)}.json`);
}

/** A cache file's text: a header line with the format, the full key and the JSON's sha256, then the JSON. */
export function encodeCachedSpec(key: string, entry: CachedEntry): string {
  const json = JSON.stringify({ spec: entry.spec, zone: entry.zone });
  return `${CACHE_FORMAT} ${key} ${sha256Hex(json)}\n${json}`;
}

/** The entry when `x` has its shape: a spec object and, for its zone, a table that can be trusted or null. */
function entryOf(x: unknown): CachedEntry | null {
  if (typeof x !== "object" || x === null) return null;
  const { spec, zone } = x as { spec?: unknown; zone?: unknown };
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) return null;
  const tz = (spec as { timezone?: unknown }).timezone;
  if (zone !== null && !(typeof tz === "string" && isZoneTable(zone, tz))) return null;
  return { spec: spec as Spec, zone };
}

/**
 * The entry in a cache file's text when the file is whole and was written for exactly `key`; null
 * for anything else (another key or format, cut short, edited, not JSON), and the caller validates again.
 */
export function decodeCachedSpec(text: string, key: string): CachedEntry | null {
  const nl = text.indexOf("\n");
  if (nl < 0) return null;
  const json = text.slice(nl + 1);
  if (text.slice(0, nl) !== `${CACHE_FORMAT} ${key} ${sha256Hex(json)}`) return null;
  try {
    return entryOf(JSON.parse(json));
  } catch {
    return null; // the header matched but the JSON does not parse: a miss like any other
  }
}

/** The entry's spec, its zone's table registered for this process (zonedParts and the slot maths read it). */
export function adoptCachedEntry(entry: CachedEntry): Spec {
  if (entry.zone) registerZoneTable(entry.zone);
  return entry.spec;
}
