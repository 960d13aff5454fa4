import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { feedFromBytes } from "../src/sources/pipeline.ts";
import { type Figure, round } from "./figure.ts";

const CORPUS = join(import.meta.dir, "../tests/corpus");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name !== "LICENSE" && e.name !== "README.md")
    .map((e) => join(e.parentPath, e.name));
}

/**
 * corpus_slowest_file_ms: the slowest single file of the vendored corpora (feedparser + gofeed,
 * ~3,000 feeds written by others) through bytes → feed (decode, parse, normalise). Parsing is
 * synchronous, so "bounded time per hostile file" is a measured figure, not a test assertion.
 */
export function benchCorpus(): Figure {
  let slowest = 0;
  let slowestFile = "";
  const all = files(CORPUS);
  for (const file of all) {
    const bytes = new Uint8Array(readFileSync(file));
    const started = performance.now();
    try {
      feedFromBytes(bytes, null, "http://127.0.0.1:9/feed", 400);
    } catch {
      // A FeedError is an outcome here; the corpus tests check which ones.
    }
    const ms = performance.now() - started;
    if (ms > slowest) [slowest, slowestFile] = [ms, file.slice(CORPUS.length + 1)];
  }
  return {
    key: "corpus_slowest_file_ms",
    value: round(slowest, 1),
    unit: "ms",
    goal: { op: "<=", target: 2_000 },
    note: `slowest of ${all.length} corpus files, bytes → normalised feed or FeedError: ${slowestFile}`,
  };
}
