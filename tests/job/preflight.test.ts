/**
 * The cap's pre-flight for a `job:` spec: its worst case is one request at the job's own bounds
 * (`job.max_prompt_tokens` in, each paid link's `max_output_tokens` out), not the digest's
 * triage defaults; and the proxy holds a request to that bound, so the worst case is a bound.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { tokenCost } from "../../src/core/money.ts";
import { OPENAI_DOUBLE_KEY } from "../../src/evidence/doubles/openai-double.ts";
import { runTick } from "../../src/harness/tick.ts";
import { worstCaseInputTokens, worstCaseTickMicros } from "../../src/models/budget.ts";
import { checkGuard } from "../../src/runner/guard.ts";
import { callsOf, eventsNamed, type Home, harnessFor, traceOf } from "../models/fixtures.ts";
import { makeJobHome, useDoubles } from "./helpers.ts";

const JOBS = join(import.meta.dir, "jobs");
const slot = new Date("2026-11-24T07:00:00Z");
const doubles = useDoubles();
let home: Home | undefined;
afterEach(() => {
  home?.cleanup();
  home = undefined;
});

/** A job home whose chain is two paid links (max_output_tokens 200 and 500), with `job` keys added. */
function paidHome(job: Record<string, unknown>): Home {
  home = makeJobHome({
    run: ["bun", join(JOBS, "openai-job.ts"), "gpt-4o-mini"],
    env: { PAID_KEY: OPENAI_DOUBLE_KEY },
    job,
    models: [
      `{ id: paid, kind: openai, base_url: "${doubles.paid.baseUrl}", model: "gpt-4o-mini", api_key_env: PAID_KEY, usd_per_mtok_in: 0.15, usd_per_mtok_out: 0.6, max_output_tokens: 200 }`,
      `{ id: big, kind: openai, base_url: "${doubles.paid.baseUrl}", model: "gpt-4o", api_key_env: PAID_KEY, usd_per_mtok_in: 2.5, usd_per_mtok_out: 10, max_output_tokens: 500, retries: 3 }`,
      "{ id: extractive, kind: extractive }",
    ],
  });
  return home;
}

describe("the pre-flight of a job: spec", () => {
  test("one request at job.max_prompt_tokens handed down every paid link, once each; not the digest's triage estimate", () => {
    const h = paidHome({ max_prompt_tokens: 4000 });
    const { spec } = h.loaded;
    const oneRequest =
      tokenCost(4000, 0.15) + tokenCost(200, 0.6) + (tokenCost(4000, 2.5) + tokenCost(500, 10));
    expect(worstCaseTickMicros(spec)).toBe(oneRequest);
    // The digest's estimate would price max_items (default 12) feed items into every prompt, per retry.
    expect(worstCaseInputTokens(spec)).toBeGreaterThan(4000);
  });

  test("the guard halts a job tick when the day has no room for one whole request, and names that worst case", () => {
    const h = paidHome({ max_prompt_tokens: 1000 });
    const worst = worstCaseTickMicros(h.loaded.spec);
    const at = (capMicros: number) =>
      checkGuard({
        db: h.db,
        spec: h.loaded.spec,
        capMicros,
        now: slot,
        killFlag: join(h.dir, "afk.kill"),
        flagPresent: false,
      });
    expect(at(worst).kind).toBe("go");
    const halted = at(worst - 1);
    expect(halted).toMatchObject({ kind: "halted_cap", worstMicros: worst });
    expect(halted.kind === "halted_cap" && halted.reason).toContain("pre-flight");
  });

  test("a prompt over job.max_prompt_tokens is refused by the proxy (429 insufficient_quota) and never sent upstream", async () => {
    const h = paidHome({ max_prompt_tokens: 20 });
    const from = doubles.paid.requests.length;
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));
    expect(s.status).toBe("failed");
    expect(s.reason).toContain("refused: 429 insufficient_quota");
    expect(s.reason).toContain("passes job.max_prompt_tokens (20)");
    expect(doubles.paid.requests.length).toBe(from);
    expect(callsOf(h.db, s.tickId)).toHaveLength(0);
    const refusals = eventsNamed(traceOf(h, s), "model.refused");
    expect(refusals.map((e) => e.attrs.link)).toEqual(["paid", "big"]);
  });
});
