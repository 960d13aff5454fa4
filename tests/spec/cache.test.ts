import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { VERSION } from "../../src/cli/version.ts";
import { scanZone } from "../../src/core/zone-scan.ts";
import {
  decodeCachedSpec,
  encodeCachedSpec,
  SPEC_SCHEMA_FINGERPRINT,
  specCacheDir,
  specCacheKey,
  specCachePath,
} from "../../src/spec/cache.ts";
import { cachedSpec } from "../../src/spec/cached.ts";
import { loadSpecFile } from "../../src/spec/load.ts";
import { REPO_SPEC_PATH, rememberSpec, resolveSpec } from "../../src/spec/resolve.ts";
import { type Spec, SpecSchema } from "../../src/spec/schema.ts";
import { sha256Hex, specHash } from "../../src/spec/text.ts";
import { tempHome, writeSpec } from "../support/home.ts";

const home = tempHome("afk-spec-cache-");
afterAll(home.cleanup);

function freshSpec(name: string): { path: string; text: string } {
  const dir = join(home.dir, name);
  mkdirSync(dir, { recursive: true });
  const path = writeSpec(dir, {
    name,
    sources: [{ id: "a", url: "feeds/a.xml" }],
  });
  return { path, text: readFileSync(path, "utf8") };
}

/** The cache file for the spec at `path` holding `text` (its folder is part of the key). */
const cached = (path: string, text: string, version = VERSION) =>
  specCachePath(home.dir, specCacheKey(text, version, dirname(path)));

const CORRUPTIONS: [string, (file: string) => string][] = [
  ["cut short", (f) => f.slice(0, Math.floor(f.length / 2))],
  [
    "a value edited (checksum no longer matches)",
    (f) => f.replace('"daily_cap_usd":5', '"daily_cap_usd":500'),
  ],
  [
    "the header of another key",
    (f) => f.replace(/^afk-spec-cache 2 [0-9a-f]{64}/, `afk-spec-cache 2 ${"0".repeat(64)}`),
  ],
  ["not text at all", () => "\u0000\u0001garbage"],
  ["empty", () => ""],
];

describe("the validated-spec cache", () => {
  test("SPEC_SCHEMA_FINGERPRINT is SpecSchema's JSON Schema: a schema change must change it (update the constant)", () => {
    const json = JSON.stringify(z.toJSONSchema(SpecSchema, { io: "output", unrepresentable: "any" }));
    expect(SPEC_SCHEMA_FINGERPRINT).toBe(createHash("sha256").update(json).digest("hex").slice(0, 16));
  });

  test("the spec hash is sha256 of the text's UTF-8 bytes, as before Bun.CryptoHasher", () => {
    const text = "---\nname: café — ✓\n---\nprose ü\n";
    expect(specHash(text)).toBe(
      createHash("sha256").update(Buffer.from(text, "utf8")).digest("hex").slice(0, 12),
    );
  });

  test("a load validates and writes nothing; once remembered, the next load reads it back equal to a fresh parse", () => {
    for (const path of [REPO_SPEC_PATH, freshSpec("first").path]) {
      const parsed = loadSpecFile(path);
      const miss = resolveSpec(path, home.dir, { cacheVersion: VERSION });
      expect(existsSync(cached(path, parsed.text))).toBe(false);
      rememberSpec(miss, home.dir, VERSION, new Date());
      expect(existsSync(cached(path, parsed.text))).toBe(true);
      const hit = resolveSpec(path, home.dir, { cacheVersion: VERSION });
      expect(miss).toStrictEqual(parsed);
      expect(hit).toStrictEqual(parsed);
    }
  });

  test("a hit is read from the file, not parsed: the cache holds the validated value", () => {
    const { path, text } = freshSpec("hit");
    const spec = loadSpecFile(path).spec;
    const key = specCacheKey(text, VERSION, dirname(path));
    writeFileSync(
      specCachePath(home.dir, key),
      encodeCachedSpec(key, { spec: { ...spec, name: "from-the-cache" }, zone: null }),
    );
    expect(resolveSpec(path, home.dir, { cacheVersion: VERSION }).spec.name).toBe("from-the-cache");
  });

  test("without cacheVersion nothing is read or written", () => {
    const { path, text } = freshSpec("uncached");
    expect(resolveSpec(path, home.dir).spec.name).toBe("uncached");
    expect(existsSync(cached(path, text))).toBe(false);
  });

  test("a stale cache is never trusted: edited spec bytes are validated again (and a bad edit is refused)", () => {
    const { path, text } = freshSpec("stale");
    rememberSpec(resolveSpec(path, home.dir, { cacheVersion: VERSION }), home.dir, VERSION, new Date());
    expect(existsSync(cached(path, text))).toBe(true);
    const bad = text.replace("daily_cap_usd: 5", "daily_cap_usd: -1");
    writeFileSync(path, bad);
    expect(() => resolveSpec(path, home.dir, { cacheVersion: VERSION })).toThrow(/budget\.daily_cap_usd/);
    expect(existsSync(cached(path, bad))).toBe(false);
    writeFileSync(path, text.replace("name: stale", "name: stale-edited"));
    expect(resolveSpec(path, home.dir, { cacheVersion: VERSION }).spec.name).toBe("stale-edited");
  });

  test("the same bytes in another folder are another entry: where a source may lie depends on it", () => {
    const { path, text } = freshSpec("folder-a");
    rememberSpec(loadSpecFile(path), home.dir, VERSION, new Date());
    const other = join(home.dir, "folder-b", "SPEC.md");
    mkdirSync(dirname(other), { recursive: true });
    writeFileSync(other, text);
    expect(existsSync(cached(path, text))).toBe(true);
    expect(existsSync(cached(other, text))).toBe(false);
  });

  test("another afk version's entry is not read: the key holds the version", () => {
    const { path, text } = freshSpec("versioned");
    const key = specCacheKey(text, "0.0.0-older", dirname(path));
    const spec = loadSpecFile(path).spec;
    writeFileSync(
      specCachePath(home.dir, key),
      encodeCachedSpec(key, { spec: { ...spec, name: "older-shape" }, zone: null }),
    );
    expect(specCacheKey(text, VERSION, dirname(path))).not.toBe(key);
    expect(resolveSpec(path, home.dir, { cacheVersion: VERSION }).spec.name).toBe("versioned");
  });

  test("a cached spec still checks the environment its sinks name: a missing variable is refused with field and line", () => {
    const { path, text } = freshSpec("sinks");
    const withSink = text.replace(
      "models:",
      'deliver:\n  - { id: phone, kind: ntfy, url: "https://ntfy.example.org/t", token_env: NTFY_TOKEN }\nmodels:',
    );
    writeFileSync(path, withSink);
    const env = { NTFY_TOKEN: "secret" };
    rememberSpec(resolveSpec(path, home.dir, { cacheVersion: VERSION, env }), home.dir, VERSION, new Date());
    expect(existsSync(cached(path, withSink))).toBe(true);
    expect(resolveSpec(path, home.dir, { cacheVersion: VERSION, env }).spec.deliver).toHaveLength(1);
    expect(() => resolveSpec(path, home.dir, { cacheVersion: VERSION, env: {} })).toThrow(
      /line \d+: deliver\[0\]\.token_env: environment variable NTFY_TOKEN is not set/,
    );
  });

  test.each(CORRUPTIONS)(
    "a corrupt cache (%s) is ignored, the spec validated again, and remembering rewrites it whole",
    (what, corrupt) => {
      const { path, text } = freshSpec(`corrupt-${what.replace(/\W+/g, "-")}`);
      const parsed = loadSpecFile(path);
      rememberSpec(parsed, home.dir, VERSION, new Date());
      const file = cached(path, text);
      const whole = readFileSync(file, "utf8");
      writeFileSync(file, corrupt(whole));
      expect(
        decodeCachedSpec(readFileSync(file, "utf8"), specCacheKey(text, VERSION, dirname(path))),
      ).toBeNull();
      const again = resolveSpec(path, home.dir, { cacheVersion: VERSION });
      expect(again).toStrictEqual(parsed);
      rememberSpec(again, home.dir, VERSION, new Date());
      expect(readFileSync(file, "utf8")).toBe(whole);
    },
  );

  test("a spec in a zone other than UTC is cached with its zone's offsets around the day it was remembered; a UTC spec with none", () => {
    const utc = freshSpec("zone-utc");
    const berlin = freshSpec("zone-berlin");
    writeFileSync(berlin.path, berlin.text.replace("timezone: UTC", "timezone: Europe/Berlin"));
    const at = new Date("2026-12-03T12:00:00Z");
    for (const [path, zone] of [
      [utc.path, null],
      [berlin.path, scanZone("Europe/Berlin", at)],
    ] as const) {
      const loaded = loadSpecFile(path);
      rememberSpec(loaded, home.dir, VERSION, at);
      const key = specCacheKey(loaded.text, VERSION, dirname(path));
      const entry = decodeCachedSpec(readFileSync(specCachePath(home.dir, key), "utf8"), key);
      expect(entry).toEqual({ spec: loaded.spec, zone });
    }
    expect(scanZone("Europe/Berlin", at)?.changes.length).toBeGreaterThan(0);
  });

  test.each([
    [
      "a zone table of another zone",
      (spec: Spec, key: string) =>
        encodeCachedSpec(key, { spec, zone: scanZone("America/New_York", new Date("2026-12-03T12:00:00Z")) }),
    ],
    [
      "a zone table read by another Bun's ICU (its rules may differ)",
      (spec: Spec, key: string) => {
        const table = scanZone("Europe/Berlin", new Date("2026-12-03T12:00:00Z"));
        return encodeCachedSpec(key, { spec, zone: table && { ...table, source: "bun 1.0.0 icu 73.2" } });
      },
    ],
    [
      "the previous format (the spec alone)",
      (spec: Spec, key: string) => {
        const json = JSON.stringify(spec);
        return `afk-spec-cache 1 ${key} ${sha256Hex(json)}\n${json}`;
      },
    ],
  ])("an entry holding %s, its checksum right, is a miss: the spec is validated again", (what, write) => {
    const { path, text } = freshSpec(`zone-miss-${what.replace(/\W+/g, "-")}`);
    writeFileSync(path, text.replace("timezone: UTC", "timezone: Europe/Berlin"));
    const parsed = loadSpecFile(path);
    const key = specCacheKey(parsed.text, VERSION, dirname(path));
    writeFileSync(specCachePath(home.dir, key), write({ ...parsed.spec, name: "from-the-cache" }, key));
    expect(decodeCachedSpec(readFileSync(specCachePath(home.dir, key), "utf8"), key)).toBeNull();
    expect(resolveSpec(path, home.dir, { cacheVersion: VERSION })).toStrictEqual(parsed);
  });

  test("the cache keeps the eight newest entries, no temp files", () => {
    for (let i = 0; i < 12; i++)
      rememberSpec(loadSpecFile(freshSpec(`many-${i}`).path), home.dir, VERSION, new Date());
    const files = readdirSync(specCacheDir(home.dir));
    expect(files.filter((f) => f.endsWith(".json"))).toHaveLength(8);
    expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("cachedSpec: the cold paths' read of the cache (no node:fs, yaml or zod)", () => {
  test("a remembered spec reads back as resolveSpec returns it; nothing remembered is null", () => {
    const { path } = freshSpec("cold-hit");
    expect(cachedSpec(path, home.dir, VERSION)).toBeNull();
    const parsed = loadSpecFile(path);
    rememberSpec(parsed, home.dir, VERSION, new Date());
    expect(cachedSpec(path, home.dir, VERSION)?.loaded).toStrictEqual(parsed);
  });

  test.each(CORRUPTIONS)("a corrupt entry (%s) is null: the caller validates", (what, corrupt) => {
    const { path, text } = freshSpec(`cold-corrupt-${what.replace(/\W+/g, "-")}`);
    rememberSpec(loadSpecFile(path), home.dir, VERSION, new Date());
    writeFileSync(cached(path, text), corrupt(readFileSync(cached(path, text), "utf8")));
    expect(cachedSpec(path, home.dir, VERSION)).toBeNull();
  });

  test("another afk version, an edited spec or a missing file is null", () => {
    const { path, text } = freshSpec("cold-stale");
    rememberSpec(loadSpecFile(path), home.dir, VERSION, new Date());
    expect(cachedSpec(path, home.dir, `${VERSION}-next`)).toBeNull();
    writeFileSync(path, `${text}\nmore prose\n`);
    expect(cachedSpec(path, home.dir, VERSION)).toBeNull();
    expect(cachedSpec(join(home.dir, "no-such", "SPEC.md"), home.dir, VERSION)).toBeNull();
  });
});
