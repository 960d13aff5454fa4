import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../core/write-atomic.ts";
import { scanZone } from "../core/zone-scan.ts";
import { registerZoneTable } from "../core/zone-table.ts";
import {
  adoptCachedEntry,
  type CachedEntry,
  decodeCachedSpec,
  encodeCachedSpec,
  specCacheDir,
  specCachePath,
} from "./cache.ts";
import type { Spec } from "./schema.ts";

/** Cached specs kept per home: enough for a few specs edited back and forth. */
const KEEP = 8;

function readEntry(home: string, key: string): CachedEntry | null {
  try {
    return decodeCachedSpec(readFileSync(specCachePath(home, key), "utf8"), key);
  } catch {
    return null; // no cache yet, or unreadable: the caller validates
  }
}

/**
 * The spec validated earlier for exactly `key`, or null (no file, unreadable, stale or corrupt).
 * Its zone's offset table, when the entry has one, answers this process's wall-clock questions.
 */
export function readCachedSpec(home: string, key: string): Spec | null {
  const entry = readEntry(home, key);
  return entry && adoptCachedEntry(entry);
}

/**
 * Stores a validated spec under `key` unless a whole entry is already there, atomically (a reader
 * sees no file or the whole one), keeping the KEEP newest, with its zone's offsets around `now`
 * (read from ICU once here, so the cold paths never load it). Best effort: a home that cannot be
 * written (read-only, full) only means the next start validates again, so a failure is dropped.
 */
export function storeCachedSpec(home: string, key: string, spec: Spec, now: Date): void {
  if (readEntry(home, key)) return;
  const zone = scanZone(spec.timezone, now);
  if (zone) registerZoneTable(zone);
  try {
    writeFileAtomic(specCachePath(home, key), encodeCachedSpec(key, { spec, zone }));
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
