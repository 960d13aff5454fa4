import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** The model names and key the soak's doubles and spec agree on. */
export const PRIMARY_MODEL = "llama3.1:8b";
export const PAID_MODEL = "gpt-4o-mini";
export const PAID_KEY_ENV = "SOAK_OPENAI_KEY";
/**
 * The usage the paid double reports for every call: within what afk reserved (the prompt's
 * byte bound, max_output_tokens 400), as an honest provider bills. Usage beyond the reservation
 * is an overrun, which switches the link off for the day (tests/harness/figures.test.ts).
 */
export const PAID_USAGE = { promptTokens: 1_000, completionTokens: 400 } as const;
/** What one paid call costs (forced usage on the double): 1,000 in × $0.15/M + 400 out × $0.60/M. */
export const PAID_CALL_MICROS = 390;
/** Paid calls a day may make before the pre-flight halts: an afternoon of outage crosses it, a few hours do not. */
export const PAID_CALLS_PER_DAY = 6;

/**
 * The soak's cap (micro-USD): the pre-flight halts when the day's spend plus one tick's worst
 * case would cross it, so after exactly PAID_CALLS_PER_DAY paid calls.
 */
export function soakCapMicros(worstTickMicros: number): number {
  return PAID_CALLS_PER_DAY * PAID_CALL_MICROS + worstTickMicros - 1;
}

export interface SoakSpecInput {
  cadence: string;
  feedUrl: (id: string) => string;
  paidBaseUrl: string;
}

/**
 * The output tokens a job-day paid call is billed: half the 400 the soak's job allows (a model
 * that writes less than it may). A job tick then spends about $0.0014 on the paid tier (eight
 * parallel calls and a summary), so a capped job day halts within a few ticks; and each call
 * settles well below its reservation, so the last tick the pre-flight admits (room for one whole
 * request, $0.00054) cannot fit its eight parallel reservations: the proxy refuses some of them.
 */
export const JOB_PAID_COMPLETION = 200;
/** The soak job's prompt bound (job.max_prompt_tokens): its prompts are about 1,100 bytes. */
export const JOB_MAX_PROMPT_TOKENS = 2_000;
/** The soak's job program (run by `bun`, never imported). */
export const SOAK_JOB = join(import.meta.dir, "triage-job.ts");
/** The variable the soak job reads its feed URLs from (passed through by `job.env`). */
export const JOB_FEEDS_ENV = "SOAK_FEEDS";

/** The front matter both soak specs share: name, cadence, cap, value, model chain, watchdog, limits. */
function commonKeys(
  s: SoakSpecInput,
  cadence: string,
  maxTickSeconds: number,
): { head: string[]; tail: string[] } {
  return {
    head: [
      "---",
      "name: soak",
      `cadence: "${cadence}"`,
      "timezone: UTC",
      "budget:",
      "  daily_cap_usd: 1.00",
      "value: { unit: digest, usd_per_unit: 2.50, min_items: 3 }",
    ],
    tail: [
      "models:",
      `  - { id: primary, kind: ollama, model: "${PRIMARY_MODEL}", timeout_s: 30, retries: 0 }`,
      `  - { id: paid, kind: openai, base_url: "${s.paidBaseUrl}", model: "${PAID_MODEL}", api_key_env: ${PAID_KEY_ENV}, usd_per_mtok_in: 0.15, usd_per_mtok_out: 0.60, max_output_tokens: 400, retries: 0 }`,
      "  - { id: extractive, kind: extractive }",
      "watchdog: { no_value_ticks: 3 }",
      `limits: { max_tick_seconds: ${maxTickSeconds}, catch_up_hours: 12 }`,
    ],
  };
}

/**
 * The soak's SPEC.md: three loopback sources (one with a backup, one optional), primary → paid
 * → extractive. Links have no retries and ticks may run 50 virtual minutes: at ×8640 a real
 * millisecond is 8.6 virtual seconds, so real waits (a source's 200 ms retry) stretch a tick to
 * half an hour of clock time, and a tick must still end before the next hourly slot.
 */
export function soakSpecText(s: SoakSpecInput): string {
  const { head, tail } = commonKeys(s, s.cadence, 3000);
  return [
    ...head,
    "sources:",
    `  - { id: alpha, url: "${s.feedUrl("alpha")}", timeout_s: 5 }`,
    `  - { id: beta, url: "${s.feedUrl("beta")}", backup: "${s.feedUrl("beta-new")}", timeout_s: 5 }`,
    `  - { id: gamma, url: "${s.feedUrl("gamma")}", timeout_s: 5, optional: true }`,
    "triage: { max_items: 5 }",
    ...tail,
    "---",
    "",
    "The soak's digest: loopback feeds and model doubles, driven through days in minutes.",
    "",
  ].join("\n");
}

/**
 * The job days' cadence: every two hours. A job tick starts a process (bun, the clients, the
 * feeds), which at ×8640 costs half an hour of clock time on a loaded machine; two hours leave it
 * room, as an operator gives a slow job a slower cadence.
 */
export const JOB_CADENCE = "0 */2 * * *";

/**
 * The soak's job-day SPEC.md: the same name, cap and chain, the job cadence, and a `job:` that
 * runs the soak's triage job (triage-job.ts) with `bun`. Its timeout (90 virtual minutes, about
 * 600 ms of real time at ×8640) ends before the tick's (100), both before the next slot.
 */
export function soakJobSpecText(s: SoakSpecInput): string {
  const { head, tail } = commonKeys(s, JOB_CADENCE, 6000);
  return [
    ...head,
    ...tail,
    "job:",
    "  kind: command",
    `  run: ${JSON.stringify(["bun", SOAK_JOB, PRIMARY_MODEL])}`,
    "  timeout_s: 5400",
    `  env: [${JOB_FEEDS_ENV}]`,
    `  max_prompt_tokens: ${JOB_MAX_PROMPT_TOKENS}`,
    "---",
    "",
    "The soak's job days: the operator's own triage job, under afk's proxy, cap and kill.",
    "",
  ].join("\n");
}

/** Writes the digest spec to `dir/SPEC.md` (the job days overwrite it, as an operator would). */
export function writeSoakSpec(dir: string, s: SoakSpecInput): string {
  const path = join(dir, "SPEC.md");
  writeFileSync(path, soakSpecText(s));
  return path;
}
