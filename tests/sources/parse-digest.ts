/**
 * What feedsmith (through fast-xml-parser) makes of every corpus file, as one sha256 per corpus
 * folder: the files' decoded text parsed by `parseText`, each result (or error) serialised.
 * `parse-digest.json` was written with the parser as published, before afk's patch that builds
 * its stop-node patterns once (patches/); the test holds the patched parser to it byte for byte.
 *
 *   bun tests/sources/parse-digest.ts --write   # after a corpus or feedsmith change, re-record
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { decodeFeed } from "../../src/sources/decode.ts";
import { parseText } from "../../src/sources/parse.ts";
import { CORPUS } from "../support/corpus.ts";

export const DIGEST_FILE = join(import.meta.dir, "parse-digest.json");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [],
  );
}

/** One file's parse, serialised: the parsed feed and the guard's flags, or the error's name and message. */
export function parseRecord(bytes: Uint8Array): string {
  try {
    return JSON.stringify(parseText(decodeFeed(bytes, null).text));
  } catch (err) {
    return err instanceof Error ? `${err.name}: ${err.message}` : `thrown: ${String(err)}`;
  }
}

/** sha256 per corpus folder (relative path) of its files' paths and parse records, in path order. */
export function corpusParseDigests(): Record<string, string> {
  return corpusDigests(parseRecord);
}

/** sha256 per corpus folder (relative path) of its files' paths and `record`s, in path order. */
export function corpusDigests(record: (bytes: Uint8Array) => string): Record<string, string> {
  const byDir = new Map<string, Bun.CryptoHasher>();
  for (const path of files(CORPUS).sort()) {
    const rel = relative(CORPUS, path);
    const dir = dirname(rel);
    const h = byDir.get(dir) ?? new Bun.CryptoHasher("sha256");
    byDir.set(dir, h);
    h.update(`${rel}\0${record(new Uint8Array(readFileSync(path)))}\n`);
  }
  return Object.fromEntries(
    [...byDir].sort(([a], [b]) => (a < b ? -1 : 1)).map(([d, h]) => [d, h.digest("hex")]),
  );
}

if (import.meta.main && process.argv.includes("--write")) {
  writeFileSync(DIGEST_FILE, `${JSON.stringify(corpusParseDigests(), null, 2)}\n`);
  console.log(`wrote ${DIGEST_FILE}`);
}
