import { Database } from "bun:sqlite";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../../src/core/clock.ts";
import type { Deps } from "../../src/core/deps.ts";
import { migrate } from "../../src/ledger/migrate.ts";
import { coreMigrations } from "../../src/ledger/schema/core.ts";
import { sourcesMigrations } from "../../src/ledger/schema/sources.ts";
import type { FetchContext } from "../../src/sources/types.ts";
import type { LoadedSpec } from "../../src/spec/load.ts";
import { type SourceSpec, type Spec, SpecSchema } from "../../src/spec/schema.ts";
import { rootSpan, type TraceRecord } from "../../src/trace/tracer.ts";

/** A temp folder standing in for the spec's folder. */
export function tempDir(prefix = "afk-sources-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeFile(dir: string, name: string, body: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

/** A LoadedSpec with the given sources and `limits` (other keys at their defaults). */
export function loadedWith(
  sources: Partial<SourceSpec>[],
  dir: string,
  limits: Partial<Spec["limits"]> = {},
): LoadedSpec {
  const spec = SpecSchema.parse({
    name: "test",
    cadence: "0 7 * * *",
    budget: { daily_cap_usd: 1 },
    value: { unit: "digest", usd_per_unit: 1 },
    sources,
    models: [{ id: "extractive", kind: "extractive" }],
    limits,
  });
  return { spec, hash: "test", origin: "test", dir, text: "", prose: "" };
}

/** A ledger with the core and sources tables, in memory. */
export function testDb(): Database {
  const db = new Database(":memory:", { strict: true });
  migrate(db, [...coreMigrations, ...sourcesMigrations]);
  return db;
}

export interface TestContext {
  ctx: FetchContext;
  records: TraceRecord[];
}

/** A FetchContext over real fetch (or a given one), collecting trace records in memory. */
export function contextFor(
  loaded: LoadedSpec,
  opts: { db?: Database; fetch?: typeof fetch; signal?: AbortSignal } = {},
): TestContext {
  const records: TraceRecord[] = [];
  const deps: Deps = {
    clock: systemClock,
    fetch: opts.fetch ?? fetch,
    env: {},
    cwd: loaded.dir,
    print: () => {},
    warn: () => {},
    pid: process.pid,
  };
  const span = rootSpan("t-test-000001", (r) => records.push(r), systemClock, "fetch");
  const ctx: FetchContext = {
    loaded,
    db: opts.db ?? testDb(),
    deps,
    span,
    signal: opts.signal ?? new AbortController().signal,
    version: "0.0.0-test",
  };
  return { ctx, records };
}
