import { FAILURE_CODES, type FailureCode } from "../models/failure.ts";
import { FEED_ERROR_CODES, type FeedErrorCode } from "../sources/types.ts";

/** A chain link as the operator surface names it: where it is reached, not its secrets. */
export interface ModelView {
  id: string;
  kind: "ollama" | "openai" | "extractive";
  model: string | null;
  /** OLLAMA_HOST for an Ollama link, base_url for a paid one, null for extractive. */
  endpoint: string | null;
}

export interface SourceView {
  id: string;
  /** Host of an http(s) source, or `file` for a local one. */
  where: string;
  optional: boolean;
}

const REFUSED = /refused|unable to connect|ECONNREFUSED|connect ENOENT|ConnectionRefused/i;

/** `127.0.0.1:11434` from `http://127.0.0.1:11434/v1`; the input itself when it is not a URL. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

/** Splits a fallback reason `code: raw` into the chain's failure code and the runtime's own text. */
export function splitReason(reason: string): { code: FailureCode | null; raw: string } {
  const i = reason.indexOf(": ");
  const head = i === -1 ? reason : reason.slice(0, i);
  const code = (FAILURE_CODES as readonly string[]).includes(head) ? (head as FailureCode) : null;
  return { code, raw: code && i !== -1 ? reason.slice(i + 2) : reason };
}

/** Model failures that mean the link could not be reached at all (vs. answered badly). */
export function isUnreachable(code: FailureCode | null): boolean {
  return (
    code === "network" ||
    code === "timeout" ||
    code === "busy" ||
    code === "http_5xx" ||
    code === "circuit_open"
  );
}

/** What a model failure's words are made of. */
interface ModelFailure {
  /** `link (model)`, or the link id. */
  name: string;
  /** The host the link calls, or "its server". */
  at: string;
  ollama: boolean;
  /** The reason's text after its code. */
  raw: string;
  link: ModelView | undefined;
  when: (iso: string) => string;
}

/** The words for each failure code: what happened and the likely fix (a table over the closed set). */
const MODEL_FAILURE_WORDS: Record<FailureCode, (f: ModelFailure) => string> = {
  network: ({ name, at, ollama, raw }) =>
    REFUSED.test(raw)
      ? `${name}: connection refused at ${at} — ${ollama ? "is Ollama running?" : "is the server up?"}`
      : `${name}: could not reach ${at} — ${ollama ? "is Ollama running and OLLAMA_HOST right?" : "check the network and base_url"}`,
  timeout: ({ name, at, ollama }) =>
    `${name}: no answer from ${at} in time — ${ollama ? "the model may be loading or too large for this host" : "the provider is slow; its timeout_s is in the spec"}`,
  busy: ({ name, at }) => `${name}: ${at} answered with a server error — it is overloaded or failing`,
  http_5xx: ({ name, at }) => `${name}: ${at} answered with a server error — it is overloaded or failing`,
  circuit_open: ({ name, raw, when }) => {
    const m = /after (\d+) failed ticks in a row, until (\S+)/.exec(raw);
    const detail = m
      ? `it failed ${m[1]} ticks in a row, so afk rests it (next try ${when(m[2] as string)})`
      : "it failed too often, so afk rests it for a while";
    return `${name}: skipped — ${detail} (circuit breaker)`;
  },
  not_found: ({ name, at, ollama, link }) =>
    ollama && link?.model
      ? `${name}: the model is not pulled on ${at} — run: ollama pull ${link.model}`
      : `${name}: ${at} does not know this model — check the model name in the spec`,
  unauthorized: ({ name }) =>
    `${name}: the API key was refused — check the key in its api_key_env variable (the link is off for today)`,
  quota: ({ name }) => `${name}: the account has no credit left (the link is off for today)`,
  rate_limit: ({ name }) => `${name}: rate-limited by the provider — afk waits and tries later`,
  http_4xx: ({ name, at, raw }) =>
    `${name}: ${at} rejected the request (${raw.split(":")[0]}) — see the trace`,
  bad_reply: ({ name, at }) => `${name}: the reply from ${at} could not be read — see the trace`,
  invalid_draft: ({ name }) => `${name}: answered, but its draft failed validation — see the trace`,
  aborted: ({ name }) => `${name}: stopped mid-call (the kill flag or max_tick_seconds)`,
  no_key: ({ name }) => `${name}: not called — its api_key_env variable is not set on this host`,
  no_price: ({ name }) => `${name}: not called — the spec gives no price, so no worst case can be reserved`,
  over_budget: ({ name }) =>
    `${name}: not called — its worst-case cost does not fit in what is left of today's cap`,
  tier_disabled: ({ name }) =>
    `${name}: off for today after a refused key, an empty account or a bill beyond the request's maximum`,
  overrun: ({ name }) =>
    `${name}: the provider billed beyond the request's maximum — recorded at its true cost, the link is off for today`,
};

/**
 * One model failure in words an operator can act on: what happened and the likely fix. The raw
 * runtime text stays in the trace (`afk trace`), not here.
 */
export function explainModel(
  linkId: string,
  reason: string,
  link: ModelView | undefined,
  when: (iso: string) => string = (iso) => iso,
): string {
  const { code, raw } = splitReason(reason);
  const name = link?.model ? `${linkId} (${link.model})` : linkId;
  if (code === null) return `${name}: ${raw}`;
  const at = link?.endpoint ? hostOf(link.endpoint) : "its server";
  return MODEL_FAILURE_WORDS[code]({ name, at, ollama: link?.kind === "ollama", raw, link, when });
}

/** What an HTTP status from a feed's server usually means for the operator. */
function httpAdvice(error: string): string {
  const status = Number(/HTTP (\d{3})/.exec(error)?.[1] ?? 0);
  if (status === 404 || status === 410) return "the feed moved or is gone: check its url";
  if (status === 401 || status === 403) return "the site refuses afk: check access or the url";
  if (status === 429) return "the site rate-limits afk: fetch it less often";
  if (status >= 500) return "the site is down or overloaded; afk tries again next tick";
  return "check the feed's url";
}

function isFeedCode(code: string): code is FeedErrorCode {
  return (FEED_ERROR_CODES as readonly string[]).includes(code);
}

/** One source failure in operator words, with where the source lives. */
export function explainSource(
  f: { id: string; code: string; error: string },
  src: SourceView | undefined,
): string {
  const where = src?.where ?? "its host";
  const code = f.code;
  if (!isFeedCode(code)) return `source ${f.id}: ${f.error}`;
  switch (code) {
    case "network":
      return REFUSED.test(f.error)
        ? `source ${f.id}: could not connect to ${where} — is the site up and the network reachable?`
        : `source ${f.id}: network error reaching ${where} (${f.error})`;
    case "timeout":
      return `source ${f.id}: ${where} did not answer in time (${f.error})`;
    case "http_status":
      return `source ${f.id}: ${where} answered ${f.error} — ${httpAdvice(f.error)}`;
    case "too_large":
      return `source ${f.id}: the feed is too large (${f.error}) — raise max_bytes or drop it`;
    case "redirects":
      return `source ${f.id}: ${where} redirects in a loop (${f.error})`;
    case "scheme":
    case "path":
      return `source ${f.id}: ${f.error} — fix its url in the spec`;
    case "encoding":
    case "parse":
      return `source ${f.id}: ${where} did not send a feed afk can read (${f.error})`;
    case "aborted":
      return `source ${f.id}: stopped mid-fetch (the kill flag or max_tick_seconds)`;
    default: {
      const never: never = code;
      return never;
    }
  }
}
