/** A temp AFK_HOME whose spec names a `job:` (no sources), with a real ledger, for real `runTick` calls. */
import { afterAll, beforeAll } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type OllamaDouble, startOllamaDouble } from "../../src/evidence/doubles/ollama-double.ts";
import {
  OPENAI_DOUBLE_KEY,
  type OpenAiDouble,
  startOpenAiDouble,
} from "../../src/evidence/doubles/openai-double.ts";
import { openDatabase } from "../../src/ledger/db.ts";
import { loadSpecFile } from "../../src/spec/load.ts";
import type { Home } from "../models/fixtures.ts";
import { tempHome, testDeps } from "../support/home.ts";

export interface JobHomeOptions {
  /** `job.run`, as a YAML flow sequence is written from it. */
  run: string[];
  models?: string[];
  env?: Record<string, string | undefined>;
  /** More `job:` keys, e.g. `timeout_s: 1`. */
  job?: Record<string, unknown>;
  capUsd?: number;
  /** Files written into the spec's folder before the spec is loaded (the job's scripts). */
  files?: Record<string, string>;
  cadence?: string;
}

/** Writes a job spec (SPEC.md) into `dir`; `extra` is YAML added at the top level (e.g. `limits:`). */
export function writeJobSpec(dir: string, o: JobHomeOptions & { extra?: string }): string {
  for (const [name, text] of Object.entries(o.files ?? {})) writeFileSync(join(dir, name), text);
  const models = o.models ?? ["{ id: extractive, kind: extractive }"];
  const jobKeys = Object.entries(o.job ?? {}).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);
  const text = [
    "---",
    "name: my-job",
    `cadence: "${o.cadence ?? "0 7 * * *"}"`,
    "timezone: UTC",
    "budget:",
    `  daily_cap_usd: ${o.capUsd ?? 5}`,
    "value:",
    "  unit: report",
    "  usd_per_unit: 2.5",
    "  min_items: 1",
    "models:",
    ...models.map((m) => `  - ${m}`),
    "job:",
    "  kind: command",
    `  run: ${JSON.stringify(o.run)}`,
    ...jobKeys,
    ...(o.extra ? [o.extra] : []),
    "---",
    "",
    "A job of the operator's own.",
    "",
  ].join("\n");
  const specPath = join(dir, "SPEC.md");
  writeFileSync(specPath, text);
  return specPath;
}

export function makeJobHome(o: JobHomeOptions): Home {
  const { dir, cleanup } = tempHome("afk-job-");
  const specPath = writeJobSpec(dir, o);
  const { deps, clock } = testDeps(dir, { PATH: process.env.PATH, ...o.env });
  const loaded = loadSpecFile(specPath, { env: deps.env });
  const db = openDatabase(join(dir, "ledger.sqlite"));
  return {
    dir,
    loaded,
    specPath,
    db,
    deps,
    clock,
    cleanup: () => {
      db.close();
      cleanup();
    },
  };
}

/** The two upstream doubles a proxy test forwards to. */
export interface Doubles {
  ollama: OllamaDouble;
  paid: OpenAiDouble;
}

/** Starts an Ollama and an OpenAI double for a file's tests (stopped after them); read the fields inside tests. */
export function useDoubles(): Doubles {
  const d = {} as Doubles;
  beforeAll(async () => {
    d.ollama = await startOllamaDouble();
    d.paid = await startOpenAiDouble({ models: ["gpt-4o-mini"] });
  });
  afterAll(async () => {
    await d.ollama.stop();
    await d.paid.stop();
  });
  return d;
}

/** A job home whose chain is the Ollama double's `llama3.1:8b`, then the paid double's `gpt-4o-mini`. */
export function doublesHome(d: Doubles, run: string[]): Home {
  return makeJobHome({
    run,
    env: { PAID_KEY: OPENAI_DOUBLE_KEY, OLLAMA_HOST: d.ollama.url },
    models: [
      '{ id: local, kind: ollama, model: "llama3.1:8b", retries: 0 }',
      `{ id: paid, kind: openai, base_url: "${d.paid.baseUrl}", model: "gpt-4o-mini", api_key_env: PAID_KEY, usd_per_mtok_in: 0.15, usd_per_mtok_out: 0.6, max_output_tokens: 200 }`,
    ],
  });
}

/** The delivered unit's text. */
export const unitText = (h: Home, out: string | null) => readFileSync(join(h.dir, out ?? ""), "utf8");
