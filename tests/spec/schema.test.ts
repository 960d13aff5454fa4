import { afterAll, describe, expect, test } from "bun:test";
import { loadSpecFile, parseSpec } from "../../src/spec/load.ts";
import { REPO_SPEC_PATH } from "../../src/spec/resolve.ts";
import { tempHome } from "../support/home.ts";
import { expectSpecRefused } from "./refused.ts";

const home = tempHome();
afterAll(home.cleanup);

const GOOD = `---
name: infra-digest
cadence: "0 7 * * *"
timezone: UTC
budget:
  daily_cap_usd: 5.00
value:
  unit: digest
  usd_per_unit: 2.50
  min_items: 3
sources:
  - { id: hn, url: "https://hnrss.org/frontpage", timeout_s: 20 }
  - { id: lobsters, url: "https://lobste.rs/rss", optional: true, backup: "https://lobste.rs/hottest.rss" }
triage:
  max_items: 12
  keywords: { sqlite: 3, bun: 2 }
models:
  - { id: primary,  kind: ollama, model: "llama3.1:8b", timeout_s: 180 }
  - { id: paid, kind: openai, base_url: "https://api.openai.com/v1", model: "gpt-4o-mini",
      api_key_env: OPENAI_API_KEY, usd_per_mtok_in: 0.15, usd_per_mtok_out: 0.60, max_output_tokens: 1200 }
  - { id: extractive, kind: extractive }
watchdog:
  no_value_ticks: 3
limits:
  max_tick_seconds: 600
  catch_up_hours: 12
---
prose
`;

/** [what is wrong, a replacement applied to GOOD, the field named, its line in the file]. */
const BAD: [string, (s: string) => string, string, number][] = [
  [
    "an unknown top-level key",
    (s) => s.replace("watchdog:", "colour: blue\nwatchdog:"),
    "colour: unknown key",
    22,
  ],
  [
    "an unknown nested key",
    (s) => s.replace("  unit: digest", "  unit: digest\n  per: day"),
    "value.per: unknown key",
    9,
  ],
  ["a wrong type", (s) => s.replace("max_items: 12", 'max_items: "twelve"'), "triage.max_items", 15],
  ["a negative cap", (s) => s.replace("daily_cap_usd: 5.00", "daily_cap_usd: -1"), "budget.daily_cap_usd", 6],
  ["a zero cap", (s) => s.replace("daily_cap_usd: 5.00", "daily_cap_usd: 0"), "budget.daily_cap_usd", 6],
  [
    "an infinite cap",
    (s) => s.replace("daily_cap_usd: 5.00", "daily_cap_usd: .inf"),
    "budget.daily_cap_usd",
    6,
  ],
  [
    "an empty source list",
    (s) => s.replace(/sources:\n( {2}- .*\n)+/, "sources: []\n"),
    "sources: must list at least one source",
    11,
  ],
  [
    "duplicate source ids",
    (s) => s.replace("id: lobsters", "id: hn"),
    "sources[1].id: duplicate id 'hn'",
    13,
  ],
  [
    "an empty model chain",
    (s) => s.replace(/models:\n( {2}- .*\n( {6}.*\n)?)+/, "models: []\n"),
    "models: must list",
    17,
  ],
  ["a bad cron pattern", (s) => s.replace('"0 7 * * *"', '"every morning"'), "cadence", 3],
  ["an unknown time zone", (s) => s.replace("timezone: UTC", "timezone: Mars/Olympus"), "timezone", 4],
  ["an unknown model kind", (s) => s.replace("kind: extractive", "kind: magic"), "models[2].kind", 21],
  ["a key given twice", (s) => s.replace("  unit: digest", "  unit: digest\n  unit: story"), "YAML", 9],
  [
    "a required key left out",
    (s) => s.replace(/value:\n( {2}.*\n)+/, ""),
    "value: required key is missing (object)",
    2,
  ],
  ["YAML that does not parse", (s) => s.replace("  unit: digest", "  unit: [digest"), "YAML", 9],
  [
    "an Ollama num_ctx below the least",
    (s) => s.replace("timeout_s: 180 }", "timeout_s: 180, num_ctx: 100 }"),
    "models[0].num_ctx: Too small: expected number to be >=1024",
    18,
  ],
  [
    "a fractional num_predict",
    (s) => s.replace("timeout_s: 180 }", "timeout_s: 180, num_predict: 10.5 }"),
    "models[0].num_predict",
    18,
  ],
  [
    "a num_predict that leaves no room for the prompt",
    (s) => s.replace("timeout_s: 180 }", "timeout_s: 180, num_ctx: 4096, num_predict: 4096 }"),
    "models[0].num_predict: must be less than num_ctx",
    18,
  ],
];

describe("the spec", () => {
  test("the shipped default spec is valid and works offline (file sources, ollama → ollama → extractive)", () => {
    const { spec } = loadSpecFile(REPO_SPEC_PATH);
    expect(spec.sources.every((s) => !/^https?:/.test(s.url))).toBe(true);
    expect(spec.models.map((m) => m.kind)).toEqual(["ollama", "ollama", "extractive"]);
  });

  test("the version-1 example of DESIGN.md is valid", () => {
    const loaded = parseSpec(GOOD, "SPEC.md", "file:SPEC.md", "/");
    expect(loaded.spec.budget.daily_cap_usd).toBe(5);
    expect(loaded.hash).toMatch(/^[0-9a-f]{12}$/);
  });

  test.each(BAD)(
    "%s → exit 2, names the field and its line, writes nothing",
    async (_what, edit, field, line) => {
      const text = edit(GOOD);
      expect(text).not.toBe(GOOD);
      await expectSpecRefused(home.dir, text, field, line);
    },
  );

  test("a file with no front matter is rejected on line 1", () => {
    expect(() => parseSpec("# just prose\n", "SPEC.md", "x", "/")).toThrow(
      /line 1: expected YAML front matter/,
    );
  });
});
