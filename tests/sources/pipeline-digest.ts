/**
 * What afk makes of every corpus file end to end, bytes to normalised feed (sources/pipeline.ts:
 * decode, DOCTYPE guard, parse, normalise), as one sha256 per corpus folder. `pipeline-digest.json`
 * holds the digests as they were before afk's own speed work on that path (extract.ts's loops);
 * the test holds every later version to them byte for byte, so a faster path is never a different one.
 *
 *   bun tests/sources/pipeline-digest.ts --write   # after a corpus or intended output change, re-record
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { feedFromBytes } from "../../src/sources/pipeline.ts";
import { corpusDigests } from "./parse-digest.ts";

export const PIPELINE_DIGEST_FILE = join(import.meta.dir, "pipeline-digest.json");

/** A base for relative links, so link resolution is part of what is held. */
const BASE_URL = "https://feeds.example.org/path/feed.xml";

/** One file through the whole pipeline, serialised: the feed and what decoding and the guard did, or the error. */
export function pipelineRecord(bytes: Uint8Array): string {
  try {
    return JSON.stringify(feedFromBytes(bytes, null, BASE_URL, 400));
  } catch (err) {
    return err instanceof Error ? `${err.name}: ${err.message}` : `thrown: ${String(err)}`;
  }
}

if (import.meta.main && process.argv.includes("--write")) {
  writeFileSync(PIPELINE_DIGEST_FILE, `${JSON.stringify(corpusDigests(pipelineRecord), null, 2)}\n`);
  console.log(`wrote ${PIPELINE_DIGEST_FILE}`);
}
