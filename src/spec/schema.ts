import { z } from "zod";
import { isValidTimeZone } from "../core/clock.ts";
import { SINK_KINDS } from "../core/delivery.ts";
import { cadenceProblem, DEFAULT_MIN_INTERVAL_SECONDS, describeCadenceProblem } from "./cadence.ts";
import { JobSchema } from "./job.ts";

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, "must be letters, digits, '-' or '_'");
const positiveFinite = z.number().positive().finite();
const seconds = z.number().positive().finite().max(86_400);
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name");
const httpUrl = z.url({ protocol: /^https?$/ });

export const SourceSchema = z.strictObject({
  id,
  url: z.string().min(1),
  timeout_s: seconds.default(20),
  optional: z.boolean().default(false),
  backup: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  max_bytes: z.number().int().positive().default(5_000_000),
});

const OllamaLink = z
  .strictObject({
    id,
    kind: z.literal("ollama"),
    model: z.string().min(1),
    timeout_s: seconds.default(180),
    retries: z.number().int().min(0).max(5).default(1),
    /** Context window in tokens; default: sized per request from the prompt (models/context.ts). */
    num_ctx: z.number().int().min(1024).max(1_048_576).optional(),
    /** Most tokens a reply may take; default: the draft's bound (models/context.ts). */
    num_predict: z.number().int().min(64).max(262_144).optional(),
  })
  .refine((l) => l.num_ctx === undefined || l.num_predict === undefined || l.num_predict < l.num_ctx, {
    path: ["num_predict"],
    message: "must be less than num_ctx (the reply shares the context with the prompt)",
  });

const OpenAiLink = z.strictObject({
  id,
  kind: z.literal("openai"),
  base_url: z.url({ protocol: /^https?$/ }),
  model: z.string().min(1),
  api_key_env: envName,
  usd_per_mtok_in: z.number().nonnegative().finite().optional(),
  usd_per_mtok_out: z.number().nonnegative().finite().optional(),
  max_output_tokens: z.number().int().positive().default(1200),
  timeout_s: seconds.default(120),
  retries: z.number().int().min(0).max(5).default(1),
});

const ExtractiveLink = z.strictObject({ id, kind: z.literal("extractive") });

export const ModelLinkSchema = z.discriminatedUnion("kind", [OllamaLink, OpenAiLink, ExtractiveLink]);
export const MODEL_KINDS = ["ollama", "openai", "extractive"] as const;

/** After this many failed attempts a sink's row stops retrying and the watchdog names the sink. */
const sinkCommon = {
  id,
  max_attempts: z.number().int().min(1).max(20).default(3),
  timeout_s: seconds.default(30),
};

export { SINK_KINDS };
export const WEBHOOK_FORMATS = ["json", "slack", "discord"] as const;

const EmailSink = z.strictObject({
  ...sinkCommon,
  kind: z.literal("email"),
  to: z.array(z.email()).min(1, "must list at least one address"),
  from: z.string().min(3),
  smtp_url_env: envName,
});
/**
 * Where an HTTP sink posts: `url` in the spec, or `url_env` naming the host variable that holds it
 * (a Slack or Discord webhook URL, an ntfy topic, is itself the secret). Exactly one of the two.
 */
const sinkUrl = { url: httpUrl.optional(), url_env: envName.optional() };
function oneUrl(
  sink: { url?: string | undefined; url_env?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if ((sink.url === undefined) === (sink.url_env === undefined))
    ctx.addIssue({
      code: "custom",
      path: [sink.url === undefined ? "url" : "url_env"],
      message:
        sink.url === undefined
          ? "give url, or url_env naming the variable that holds it"
          : "give url or url_env, not both",
    });
}

const NtfySink = z
  .strictObject({
    ...sinkCommon,
    kind: z.literal("ntfy"),
    ...sinkUrl,
    token_env: envName.optional(),
  })
  .superRefine(oneUrl);
const WebhookSink = z
  .strictObject({
    ...sinkCommon,
    kind: z.literal("webhook"),
    ...sinkUrl,
    format: z.enum(WEBHOOK_FORMATS).default("json"),
    token_env: envName.optional(),
  })
  .superRefine(oneUrl);
export const SinkSchema = z.discriminatedUnion("kind", [EmailSink, NtfySink, WebhookSink]);

function uniqueIds(list: { id: string }[], ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  list.forEach((item, i) => {
    const first = seen.get(item.id);
    if (first !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: [i, "id"],
        message: `duplicate id '${item.id}' (also at index ${first})`,
      });
    } else seen.set(item.id, i);
  });
}

/** The version-1 front matter of spec/SPEC.md. Unknown keys are errors, never ignored. */
export const SpecSchema = z
  .strictObject({
    name: id,
    /** Checked against limits.min_interval_seconds below: parses, fires, not too often. */
    cadence: z.string(),
    timezone: z
      .string()
      .default("UTC")
      .refine(isValidTimeZone, "must be an IANA time zone name, e.g. Europe/Paris"),
    budget: z.strictObject({
      daily_cap_usd: positiveFinite,
    }),
    value: z.strictObject({
      unit: z.string().min(1),
      usd_per_unit: z.number().nonnegative().finite(),
      min_items: z.number().int().min(1).default(3),
    }),
    /** Required unless a `job:` replaces the digest (checked below). */
    sources: z.array(SourceSchema).superRefine(uniqueIds).default([]),
    triage: z
      .strictObject({
        max_items: z.number().int().min(1).max(200).default(12),
        keywords: z.record(z.string(), z.number().finite()).default({}),
        max_age_hours: z.number().positive().finite().optional(),
      })
      .default({ max_items: 12, keywords: {} }),
    models: z.array(ModelLinkSchema).min(1, "must list at least one model link").superRefine(uniqueIds),
    watchdog: z
      .strictObject({
        no_value_ticks: z.number().int().min(1).default(3),
        /** Days without value while every tick was quiet (sources healthy, too few items) before an alert; 0: never. */
        quiet_days: z.number().nonnegative().finite().default(7),
      })
      .default({ no_value_ticks: 3, quiet_days: 7 }),
    limits: z
      .strictObject({
        max_tick_seconds: seconds.default(600),
        catch_up_hours: z.number().nonnegative().finite().default(12),
        circuit_breaker_ticks: z.number().int().min(1).default(3),
        circuit_cooldown_minutes: z.number().positive().finite().default(60),
        /** Bytes all sources in flight may buffer together (each is also capped by its own max_bytes). */
        fetch_buffer_bytes: z.number().int().positive().default(64_000_000),
        /** The shortest interval the cadence may have between two slots (a runaway cadence is refused). */
        min_interval_seconds: z.number().positive().finite().default(DEFAULT_MIN_INTERVAL_SECONDS),
      })
      .default({
        min_interval_seconds: DEFAULT_MIN_INTERVAL_SECONDS,
        max_tick_seconds: 600,
        catch_up_hours: 12,
        circuit_breaker_ticks: 3,
        circuit_cooldown_minutes: 60,
        fetch_buffer_bytes: 64_000_000,
      }),
    /** Prices for the shadow cost when the chain has no priced paid link: what a paid model would have cost. */
    shadow: z
      .strictObject({
        model: z.string().min(1),
        usd_per_mtok_in: z.number().nonnegative().finite(),
        usd_per_mtok_out: z.number().nonnegative().finite(),
      })
      .optional(),
    digest: z
      .strictObject({
        max_chars: z.number().int().positive().default(20_000),
        summary_max_chars: z.number().int().positive().default(400),
      })
      .default({ max_chars: 20_000, summary_max_chars: 400 }),
    /** Where each digest goes after out/ (see src/deliver/): one outbox row per (slot, sink). */
    deliver: z.array(SinkSchema).superRefine(uniqueIds).default([]),
    /** The Atom feed of the digests (/digests.atom, out/digests.atom): how many entries. */
    feed: z.strictObject({ entries: z.number().int().min(1).max(500).default(30) }).default({ entries: 30 }),
    /** The operator's own command instead of the built-in digest (src/job/). */
    job: JobSchema.optional(),
  })
  .superRefine((spec, ctx) => {
    if (!spec.job && spec.sources.length === 0)
      ctx.addIssue({
        code: "custom",
        path: ["sources"],
        message: "must list at least one source (or name a job:)",
      });
    const min = spec.limits.min_interval_seconds;
    const problem = cadenceProblem(spec.cadence, min);
    if (problem)
      ctx.addIssue({ code: "custom", path: ["cadence"], message: describeCadenceProblem(problem, min) });
  });

export type Spec = z.infer<typeof SpecSchema>;
export type SourceSpec = z.infer<typeof SourceSchema>;
export type ModelLink = z.infer<typeof ModelLinkSchema>;
export type OllamaLinkSpec = z.infer<typeof OllamaLink>;
export type OpenAiLinkSpec = z.infer<typeof OpenAiLink>;
export type SinkSpec = z.infer<typeof SinkSchema>;
export type SinkKind = SinkSpec["kind"];
export type EmailSinkSpec = z.infer<typeof EmailSink>;
export type NtfySinkSpec = z.infer<typeof NtfySink>;
export type WebhookSinkSpec = z.infer<typeof WebhookSink>;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];
