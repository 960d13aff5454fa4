import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../core/write-atomic.ts";
import { decodeCachedSpec, encodeCachedSpec, specCacheDir, specCachePath } from "./cache.ts";
import type { Spec } from "./schema.ts";

/** Cached specs kept per home: enough for a few specs edited back and forth. */
const KEEP = 8;

/** The spec validated earlier for exactly `key`, or null (no file, unreadable, stale or corrupt). */
export function readCachedSpec(home: string, key: string): Spec | null {
  try {
    return decodeCachedSpec(readFileSync(specCachePath(home, key), "utf8"), key);
  } catch {
    return null; // no cache yet, or unreadable: the caller validates
  }
}

/**
 * Stores a validated spec under `key` unless a whole entry is already there, atomically (a reader
 * sees no file or the whole one), keeping the KEEP newest. Best effort: a home that cannot be
 * written (read-only, full) only means the next start validates again, so a failure is dropped.
 */
export function storeCachedSpec(home: string, key: string, spec: Spec): void {
  if (readCachedSpec(home, key)) return;
  try {
    writeFileAtomic(specCachePath(home, key), encodeCachedSpec(key, spec));
    prune(specCacheDir(home));
  } catch {
    // best effort (see above): the next start validates again
  }
}

function prune(dir: string): void {
  const files = readdirSync(dir)
    .filter((n) => n.startsWith("spec-") && n.endsWith(".json"))
    .map((n) => ({ path: join(dir, n), mtime: statSync(join(dir, n)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const f of files.slice(KEEP)) rmSync(f.path, { force: true });
}
