import type { Database } from "bun:sqlite";
import { formatUsd, type Micros, tokenCost } from "../core/money.ts";
import { spendOnDay } from "../ledger/ticks.ts";
import type { OpenAiLinkSpec, Spec } from "../spec/schema.ts";
import {
  type ClosedReservation,
  closeReservation,
  insertReservation,
  type NewReservation,
  openReservation,
} from "./calls.ts";
import { type ChatMessage, PROMPT_SOURCE_MAX, PROMPT_TITLE_MAX } from "./prompt.ts";
import { switchTierOff } from "./state.ts";

const LINK_ALLOWANCE = 300;
const ITEM_FRAMING = 64;
const PROMPT_FRAMING = 1600;
/** A UTF-8 character is at most 4 bytes. */
const MAX_BYTES_PER_CHAR = 4;
/** Chat templates add a few tokens per message and a few for the reply's priming. */
const TOKENS_PER_MESSAGE = 8;
const TOKENS_PER_REPLY = 16;

/**
 * An upper bound on the input tokens of `messages`: a byte-level BPE token covers at least one
 * byte, so the UTF-8 byte count (plus the chat template's framing) can never be exceeded.
 */
export function inputTokenBound(messages: readonly ChatMessage[]): number {
  let bytes = 0;
  for (const m of messages) bytes += Buffer.byteLength(m.content, "utf8") + TOKENS_PER_MESSAGE;
  return bytes + TOKENS_PER_REPLY;
}

/** Worst-case input tokens of one synthesis call: `max_items` items at their capped lengths, every char 4 bytes. */
export function worstCaseInputTokens(spec: Spec): number {
  const perItem =
    (spec.digest.summary_max_chars + PROMPT_TITLE_MAX + PROMPT_SOURCE_MAX + LINK_ALLOWANCE) *
      MAX_BYTES_PER_CHAR +
    ITEM_FRAMING;
  return PROMPT_FRAMING + spec.triage.max_items * perItem + 2 * TOKENS_PER_MESSAGE + TOKENS_PER_REPLY;
}

export interface Prices {
  inPerMtok: number;
  outPerMtok: number;
}

/** The link's prices, or null when either is missing: then the link is refused (fail closed). */
export function pricesOf(link: OpenAiLinkSpec): Prices | null {
  if (link.usd_per_mtok_in === undefined || link.usd_per_mtok_out === undefined) return null;
  return { inPerMtok: link.usd_per_mtok_in, outPerMtok: link.usd_per_mtok_out };
}

/** What one call may cost at most: input bound plus max_output_tokens, each at its price. */
export function reservationMicros(prices: Prices, inputTokens: number, maxOutputTokens: number): Micros {
  return tokenCost(inputTokens, prices.inPerMtok) + tokenCost(maxOutputTokens, prices.outPerMtok);
}

/**
 * The most one tick can spend: every paid link at its worst case (input estimate plus
 * max_output_tokens at the spec's prices), once per allowed attempt. A paid link with an
 * unknown price has no finite worst case; it is refused at call time, so it adds nothing here.
 * A `job:` spec's tick is bounded per request, not per tick (`worstCaseJobRequestMicros`).
 */
export function worstCaseTickMicros(spec: Spec): number {
  if (spec.job) return worstCaseJobRequestMicros(spec, spec.job.max_prompt_tokens);
  let total = 0;
  for (const l of spec.models) {
    if (l.kind !== "openai") continue;
    const prices = pricesOf(l);
    if (!prices) continue;
    total += reservationMicros(prices, worstCaseInputTokens(spec), l.max_output_tokens) * (l.retries + 1);
  }
  return total;
}

/**
 * A `job:` spec's worst case for the pre-flight: one request at its bound — `job.max_prompt_tokens`
 * in, each paid link's `max_output_tokens` out — handed down every paid link of the chain (the
 * proxy sends each link one attempt, and a failed paid attempt may be charged in full). How many
 * requests a job makes is its own affair, and `job.timeout_s` does not bound it (calls run in
 * parallel): the pre-flight halts a tick that could not make one whole request, and the proxy
 * reserves each further request on its own, refusing the one that does not fit.
 */
export function worstCaseJobRequestMicros(spec: Spec, maxPromptTokens: number): number {
  let total = 0;
  for (const l of spec.models) {
    if (l.kind !== "openai") continue;
    const prices = pricesOf(l);
    if (prices) total += reservationMicros(prices, maxPromptTokens, l.max_output_tokens);
  }
  return total;
}

/** A paid call's reservation (calls.ts) and the day's cap it must fit under. */
export interface ReserveRequest extends NewReservation {
  capMicros: Micros;
}

export type Reservation =
  | { ok: true; callId: number; spentBefore: Micros }
  | { ok: false; spentBefore: Micros };

/**
 * Reserves a paid call's worst case against the day's cap in one `BEGIN IMMEDIATE`
 * transaction: read the day's spend (open reservations count in full), check that the
 * reservation fits, and insert the `reserved` call row. The row is committed before the
 * request leaves, so two processes can never both spend the same remainder, and a crash
 * after this point leaves a reservation that the next start charges in full.
 */
export function reserve(db: Database, r: ReserveRequest): Reservation {
  return db
    .transaction((): Reservation => {
      const spent = spendOnDay(db, r.day);
      if (spent + r.reservedMicros > r.capMicros) return { ok: false, spentBefore: spent };
      return { ok: true, callId: insertReservation(db, r), spentBefore: spent };
    })
    .immediate();
}

/**
 * How a reserved call ends. settled: at the reported usage (or nothing billed); charged_full:
 * usage unknown, the reservation stands (`costMicros` is then ignored).
 */
export type Settlement = ClosedReservation;

/**
 * Settles a reserved call. Only a `reserved` row changes, so a call is never settled twice.
 * The reservation bounds what afk decides to pay, not what a provider bills: usage beyond the
 * request's maximum is recorded at its true cost, and the link is switched off for the rest of
 * the day (`overrun`) in the same transaction, so it cannot cross the cap again today.
 */
export function settle(db: Database, callId: number, s: Settlement): Micros {
  return db
    .transaction((): Micros => {
      const row = openReservation(db, callId);
      if (!row) return 0;
      const cost = s.state === "charged_full" ? row.reserved_micros : s.costMicros;
      closeReservation(db, callId, { ...s, costMicros: cost });
      if (cost > row.reserved_micros)
        switchTierOff(db, {
          link_id: row.link_id,
          day: row.day,
          code: "overrun",
          reason: `the provider billed ${formatUsd(cost)} for a call reserved at ${formatUsd(row.reserved_micros)} (${s.tokensOut ?? "?"} output tokens reported): beyond the request's maximum`,
          tick_id: row.tick_id,
          at: s.endedAt,
        });
      return cost;
    })
    .immediate();
}
