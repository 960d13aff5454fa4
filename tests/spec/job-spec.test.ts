import { afterAll, describe, expect, test } from "bun:test";
import { parseSpec } from "../../src/spec/load.ts";
import { tempHome } from "../support/home.ts";
import { expectSpecRefused } from "./refused.ts";

const home = tempHome();
afterAll(home.cleanup);

const GOOD = `---
name: my-job
cadence: "0 7 * * *"
budget:
  daily_cap_usd: 5
value:
  unit: report
  usd_per_unit: 2.5
models:
  - { id: paid, kind: openai, base_url: "https://api.openai.com/v1", model: "gpt-4o-mini", api_key_env: OPENAI_KEY }
job:
  kind: command
  run: ["uv", "run", "python", "-c", "from system.tick import run_once; print(run_once())"]
  cwd: .
  env: [MY_FEED_TOKEN]
  timeout_s: 600
---
A job of my own.
`;

/** [what is wrong, a replacement applied to GOOD, the field and message named, its line in the file]. */
const BAD: [string, (s: string) => string, string, number][] = [
  [
    "a run that is one string",
    (s) => s.replace(/run: \[.*\]/, 'run: "uv run python tick.py"'),
    "job.run: must be an array of strings",
    13,
  ],
  ["a run with a number in it", (s) => s.replace(/run: \[.*\]/, 'run: ["sleep", 3]'), "job.run[1]", 13],
  ["an empty run", (s) => s.replace(/run: \[.*\]/, "run: []"), "job.run: must name the program to run", 13],
  ["a cwd that does not exist", (s) => s.replace("cwd: .", "cwd: ./no-such-project"), "job.cwd:", 14],
  [
    "an env name that is not set",
    (s) => s.replace("[MY_FEED_TOKEN]", "[MY_FEED_TOKEN, NOT_SET_HERE]"),
    "job.env[1]: environment variable NOT_SET_HERE is not set",
    15,
  ],
  [
    "an env name afk sets itself",
    (s) => s.replace("[MY_FEED_TOKEN]", "[OPENAI_API_KEY]"),
    "job.env[0]: is set by afk for the job",
    15,
  ],
  [
    "the paid key passed through",
    (s) => s.replace("[MY_FEED_TOKEN]", "[OPENAI_KEY]"),
    "job.env[0]: OPENAI_KEY is the paid key of model link paid",
    15,
  ],
  [
    "an unknown job key",
    (s) => s.replace("  timeout_s: 600", "  timeout_s: 600\n  shell: bash"),
    "job.shell: unknown key",
    17,
  ],
  ["an unknown job kind", (s) => s.replace("kind: command", "kind: lambda"), "job.kind", 12],
  [
    "no job and no sources",
    (s) => s.replace(/job:\n( {2}.*\n)+/, ""),
    "sources: must list at least one source",
    2,
  ],
];

describe("the job: key", () => {
  test("a job spec needs no sources, triage or digest keys; job keys get their defaults", () => {
    const { spec } = parseSpec(GOOD, "SPEC.md", "file:SPEC.md", home.dir);
    expect(spec.sources).toEqual([]);
    expect(spec.job).toMatchObject({
      kind: "command",
      timeout_s: 600,
      env: ["MY_FEED_TOKEN"],
      max_output_bytes: 1_000_000,
    });
  });

  test.each(BAD)(
    "%s → exit 2, names the field and its line, writes nothing",
    async (_what, edit, field, line) => {
      const text = edit(GOOD);
      expect(text).not.toBe(GOOD);
      await expectSpecRefused(home.dir, text, field, line, { MY_FEED_TOKEN: "set", OPENAI_KEY: "sk-x" });
    },
  );
});
