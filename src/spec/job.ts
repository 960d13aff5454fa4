import { z } from "zod";
import { jobCwd } from "./job-cwd.ts";

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name");

/** Job kinds: `command` runs a program of the operator's own each tick (src/job/). */
export const JOB_KINDS = ["command"] as const;

/** Variables afk sets for the job itself: a spec may not pass its own value through under these names. */
export const AFK_JOB_VARS = [
  "AFK_TICK_ID",
  "AFK_SLOT",
  "AFK_OUT_DIR",
  "OLLAMA_HOST",
  "OPENAI_BASE_URL",
  "OPENAI_API_KEY",
] as const;

/** `job:` — the operator's own command, run each tick under afk's guards instead of the digest. */
export const JobSchema = z.strictObject({
  kind: z.enum(JOB_KINDS),
  run: z
    .array(z.string().min(1, "must not be an empty string"), "must be an array of strings")
    .min(1, "must name the program to run"),
  /** Relative to SPEC.md's folder; default that folder. */
  cwd: z.string().min(1).optional(),
  timeout_s: z.number().positive().finite().max(86_400).default(600),
  /** Host variables passed through besides PATH, HOME, LANG and the AFK_* set. */
  env: z
    .array(
      envName.refine(
        (n) => !(AFK_JOB_VARS as readonly string[]).includes(n),
        "is set by afk for the job (the proxy's address and token); it cannot be passed through",
      ),
    )
    .default([]),
  /** Stdout past this many bytes: the job is killed and the tick fails. */
  max_output_bytes: z.number().int().positive().default(1_000_000),
  /**
   * The largest prompt (its token bound: UTF-8 bytes plus the chat framing) the proxy sends to a
   * paid link; a larger one is refused. With the links' `max_output_tokens` it bounds what one
   * request can cost, which is the job's worst case for the cap's pre-flight (models/budget.ts).
   */
  max_prompt_tokens: z.number().int().positive().max(2_000_000).default(32_000),
});

export type JobSpec = z.infer<typeof JobSchema>;

export { jobCwd };
