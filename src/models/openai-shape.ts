import type { OpenAiLinkSpec } from "../spec/schema.ts";
import { draftJsonSchema } from "./draft.ts";
import type { ChatMessage } from "./prompt.ts";

/**
 * How a request to an OpenAI-compatible server is shaped. Servers disagree: OpenAI's newer
 * models reject `max_tokens` and any `temperature` but the default; older servers reject
 * `max_completion_tokens` and a `json_schema` response format. Each says so with a 400.
 */
export interface WireShape {
  tokens: "max_completion_tokens" | "max_tokens";
  format: "json_schema" | "json_object" | "none";
  temperature: boolean;
}

/** What afk asks for first: today's OpenAI API. */
export const NEWEST_SHAPE: WireShape = {
  tokens: "max_completion_tokens",
  format: "json_schema",
  temperature: true,
};

export const SHAPE_PARTS = ["tokens", "format", "temperature"] as const;
export type ShapePart = (typeof SHAPE_PARTS)[number];

/**
 * The shapes learned per paid link for the life of the process, so a server's 400 is paid
 * for once, not on every call. Held by the callers (models/link-callers.ts), never module state.
 */
export interface ShapeMemory {
  get(link: OpenAiLinkSpec): WireShape;
  set(link: OpenAiLinkSpec, shape: WireShape): void;
}

export function createShapeMemory(): ShapeMemory {
  const learned = new Map<string, WireShape>();
  const key = (l: OpenAiLinkSpec) => JSON.stringify([l.id, l.base_url, l.model]);
  return {
    get: (l) => learned.get(key(l)) ?? NEWEST_SHAPE,
    set: (l, shape) => {
      learned.set(key(l), shape);
    },
  };
}

const STRICT_UNSUPPORTED = new Set(["$schema", "minLength", "maxLength"]);

/** The draft's JSON schema in the subset strict structured outputs accept (no string lengths). */
export function strictSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (typeof schema !== "object" || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([k]) => !STRICT_UNSUPPORTED.has(k))
      .map(([k, v]) => [k, k === "properties" ? mapValues(v, strictSchema) : strictSchema(v)]),
  );
}

function mapValues(v: unknown, f: (x: unknown) => unknown): unknown {
  if (typeof v !== "object" || v === null) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, f(x)]));
}

export const DRAFT_SCHEMA_NAME = "digest_draft";
const strictDraft = strictSchema(draftJsonSchema);

/** The `response_format` of a shape; undefined for `none` (the prompt alone asks for JSON). */
export function responseFormat(format: WireShape["format"]): Record<string, unknown> | undefined {
  switch (format) {
    case "json_schema":
      return {
        type: "json_schema",
        json_schema: { name: DRAFT_SCHEMA_NAME, strict: true, schema: strictDraft },
      };
    case "json_object":
      return { type: "json_object" };
    case "none":
      return undefined;
    default: {
      const never: never = format;
      return never;
    }
  }
}

/**
 * Tokens the response format may add to the prompt: a schema can be billed as input, so the
 * reservation counts its bytes (a token covers at least one byte).
 */
export function formatTokenBound(format: WireShape["format"]): number {
  const f = responseFormat(format);
  return f ? Buffer.byteLength(JSON.stringify(f), "utf8") : 0;
}

/** The request body: no streaming (usage comes whole), the output bound, JSON out, in `shape`. */
export function paidRequestBody(
  link: OpenAiLinkSpec,
  messages: readonly ChatMessage[],
  shape: WireShape,
): Record<string, unknown> {
  const format = responseFormat(shape.format);
  return {
    model: link.model,
    messages,
    [shape.tokens]: link.max_output_tokens,
    ...(shape.temperature ? { temperature: 0.2 } : {}),
    ...(format ? { response_format: format } : {}),
    stream: false,
  };
}

/** The error object of an OpenAI-style error body, as far as a provider filled it in. */
export interface ProviderError {
  message: string;
  param: string | null;
  code: string | null;
}

const REFUSAL =
  /unsupported|not supported|unrecognized|unknown (field|param|argument)|not permitted|not allowed|extra (inputs|fields)|invalid parameter|invalid schema|does not support|must contain the word/i;
const REFUSAL_CODES = new Set(["unsupported_parameter", "unsupported_value", "invalidparameter"]);

/**
 * The part of `shape` a refusal is about, or null when the error is about something else (a
 * value out of range, a bad key, the model). Read from `param` when the server names it, else
 * from the message: Azure's `Unrecognized request argument supplied: max_completion_tokens`,
 * OpenAI's `Invalid parameter: 'response_format' of type 'json_schema' is not supported…`.
 */
export function refusedPart(status: number, e: ProviderError, shape: WireShape): ShapePart | null {
  if (status !== 400 && status !== 422) return null;
  const refusal = REFUSAL.test(e.message) || REFUSAL_CODES.has((e.code ?? "").toLowerCase());
  if (!refusal) return null;
  const param = (e.param ?? "").toLowerCase();
  const says = (name: string) => param === name || param.startsWith(`${name}.`) || word(name).test(e.message);
  if (says(shape.tokens)) return "tokens";
  if (shape.format !== "none" && (says("response_format") || /json_schema|json_object/.test(e.message)))
    return "format";
  if (shape.temperature && says("temperature")) return "temperature";
  return null;
}

function word(name: string): RegExp {
  return new RegExp(`(^|[^A-Za-z0-9_])${name}([^A-Za-z0-9_]|$)`);
}

/** The shape with `part` one step more conservative, or null when it has nowhere left to go. */
export function stepDown(shape: WireShape, part: ShapePart): WireShape | null {
  switch (part) {
    case "tokens":
      return {
        ...shape,
        tokens: shape.tokens === "max_completion_tokens" ? "max_tokens" : "max_completion_tokens",
      };
    case "format":
      if (shape.format === "none") return null;
      return { ...shape, format: shape.format === "json_schema" ? "json_object" : "none" };
    case "temperature":
      return shape.temperature ? { ...shape, temperature: false } : null;
    default: {
      const never: never = part;
      return never;
    }
  }
}

/** How a shape reads in a trace: the value of `part`. */
export function partValue(shape: WireShape, part: ShapePart): string {
  return part === "temperature" ? (shape.temperature ? "0.2" : "default") : shape[part];
}
