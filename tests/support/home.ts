import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/core/clock.ts";
import type { Deps } from "../../src/core/deps.ts";

/** A fresh AFK_HOME in a temp dir; `cleanup` removes it. */
export function tempHome(prefix = "afk-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Deps for in-process tests: real fetch, a manual clock, output captured in arrays. */
export function testDeps(
  home: string,
  env: Record<string, string | undefined> = {},
  now = "2026-11-24T07:00:00Z",
) {
  const out: string[] = [];
  const err: string[] = [];
  const clock = new ManualClock(now);
  const deps: Deps = {
    clock,
    fetch: globalThis.fetch,
    env: { HOME: home, AFK_HOME: home, AFK_KILL_FLAG: join(home, "afk.kill"), ...env },
    cwd: home,
    print: (l) => out.push(l),
    warn: (l) => err.push(l),
    pid: process.pid,
  };
  return { deps, out, err, clock };
}

export interface SpecOptions {
  name?: string;
  sources: { id: string; url: string; optional?: boolean; timeout_s?: number; backup?: string }[];
  models?: string[];
  minItems?: number;
  capUsd?: number;
  extra?: string;
}

/** Writes a SPEC.md into `dir` and returns its path. Models are YAML flow maps, one per line. */
export function writeSpec(dir: string, o: SpecOptions): string {
  const models = o.models ?? ["{ id: extractive, kind: extractive }"];
  const text = [
    "---",
    `name: ${o.name ?? "test-digest"}`,
    'cadence: "0 7 * * *"',
    "timezone: UTC",
    "budget:",
    `  daily_cap_usd: ${o.capUsd ?? 5}`,
    "value:",
    "  unit: digest",
    "  usd_per_unit: 2.5",
    `  min_items: ${o.minItems ?? 1}`,
    "sources:",
    ...o.sources.map((s) => `  - ${JSON.stringify(s)}`),
    "models:",
    ...models.map((m) => `  - ${m}`),
    ...(o.extra ? [o.extra] : []),
    "---",
    "",
    "Test spec.",
    "",
  ].join("\n");
  const path = join(dir, "SPEC.md");
  writeFileSync(path, text);
  return path;
}

/** The repo root, for spawning `bun src/main.ts`. */
export const REPO = join(import.meta.dir, "..", "..");

/** Copies the repo's sample feeds into `<dir>/feeds` (local sources must sit under the spec's folder). */
export function sampleSources(dir: string): { id: string; url: string }[] {
  mkdirSync(join(dir, "feeds"), { recursive: true });
  const files = [
    ["sqlite-news", "sqlite-news.xml"],
    ["bun-blog", "bun-blog.atom"],
    ["ops-notes", "ops-notes.json"],
  ] as const;
  return files.map(([id, file]) => {
    copyFileSync(join(REPO, "spec", "feeds", file), join(dir, "feeds", file));
    return { id, url: `feeds/${file}` };
  });
}
