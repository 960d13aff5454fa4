import type { Database } from "bun:sqlite";
import type { Clock } from "../core/clock.ts";
import { type Micros, tokenCost } from "../core/money.ts";
import type { Spec } from "../spec/schema.ts";
import type { Span } from "../trace/tracer.ts";
import type { CallOutcome } from "./call-outcome.ts";

export interface PaidPrices {
  linkId: string;
  model: string;
  inPerMtok: number;
  outPerMtok: number;
}

/**
 * The prices a free call's shadow cost is counted at: the chain's first priced paid link, else
 * the spec's `shadow` prices; null when the spec names neither.
 */
export function shadowPrices(spec: Spec): PaidPrices | null {
  for (const l of spec.models) {
    if (l.kind === "openai" && l.usd_per_mtok_in !== undefined && l.usd_per_mtok_out !== undefined) {
      return { linkId: l.id, model: l.model, inPerMtok: l.usd_per_mtok_in, outPerMtok: l.usd_per_mtok_out };
    }
  }
  if (spec.shadow) {
    const { model, usd_per_mtok_in, usd_per_mtok_out } = spec.shadow;
    return { linkId: "shadow", model, inPerMtok: usd_per_mtok_in, outPerMtok: usd_per_mtok_out };
  }
  return null;
}

export function costOf(prices: PaidPrices | null, tokensIn: number, tokensOut: number): Micros {
  if (!prices) return 0;
  return tokenCost(tokensIn, prices.inPerMtok) + tokenCost(tokensOut, prices.outPerMtok);
}

export interface FreeCall {
  tickId: string;
  day: string;
  linkId: string;
  kind: string;
  model: string | null;
  attempt: number;
  tokensIn: number | null;
  tokensOut: number | null;
  shadowMicros: Micros;
  outcome: CallOutcome;
  startedAt: string;
  endedAt: string;
}

/** Records a call that cost nothing (local model, extractive) with its tokens and shadow cost. */
export function recordFreeCall(db: Database, c: FreeCall): void {
  db.query(
    `INSERT INTO calls (tick_id, day, link_id, kind, model, attempt, state, shadow_micros, tokens_in, tokens_out, outcome, started_at, ended_at)
     VALUES (?, ?, ?, ?, ?, ?, 'free', ?, ?, ?, ?, ?, ?)`,
  ).run(
    c.tickId,
    c.day,
    c.linkId,
    c.kind,
    c.model,
    c.attempt,
    c.shadowMicros,
    c.tokensIn,
    c.tokensOut,
    c.outcome,
    c.startedAt,
    c.endedAt,
  );
}

/** Where one local call is recorded: its tick and day, the clock, and the span that carries its figures. */
export interface LocalCallScope {
  db: Database;
  tickId: string;
  day: string;
  clock: Clock;
  span: Span;
}

/**
 * Starts one request to a local Ollama link (the chain's or a job's through the proxy); the
 * function returned records how it ended: a free `calls` row with its tokens and shadow cost,
 * the same figures set on its span.
 */
export function localCallRecorder(
  scope: LocalCallScope,
  link: { id: string; model: string },
  attempt: number,
): (outcome: CallOutcome, tokensIn: number | null, tokensOut: number | null, shadow: Micros) => void {
  const startedAt = scope.clock.now().toISOString();
  return (outcome, tokensIn, tokensOut, shadow) => {
    recordFreeCall(scope.db, {
      tickId: scope.tickId,
      day: scope.day,
      linkId: link.id,
      kind: "ollama",
      model: link.model,
      attempt,
      tokensIn,
      tokensOut,
      shadowMicros: shadow,
      outcome,
      startedAt,
      endedAt: scope.clock.now().toISOString(),
    });
    scope.span.set({ outcome, tokens_in: tokensIn, tokens_out: tokensOut, shadow_micros: shadow });
  };
}

/** A paid call about to be sent: its worst case, reserved against the day's cap. */
export interface NewReservation {
  tickId: string;
  day: string;
  linkId: string;
  model: string;
  attempt: number;
  reservedMicros: Micros;
  startedAt: string;
}

/**
 * Inserts a paid call's `reserved` row and returns its id. Called inside budget.ts `reserve`'s
 * BEGIN IMMEDIATE, after the day's spend was read: the check and the row are one step.
 */
export function insertReservation(db: Database, r: NewReservation): number {
  const res = db
    .query(
      `INSERT INTO calls (tick_id, day, link_id, kind, model, attempt, state, reserved_micros, started_at)
       VALUES (?, ?, ?, 'openai', ?, ?, 'reserved', ?, ?)`,
    )
    .run(r.tickId, r.day, r.linkId, r.model, r.attempt, r.reservedMicros, r.startedAt);
  return Number(res.lastInsertRowid);
}

/** A call whose reservation is still open, or null once it was settled (a call settles once). */
export function openReservation(
  db: Database,
  callId: number,
): { reserved_micros: number; tick_id: string; day: string; link_id: string } | null {
  return db
    .query<{ reserved_micros: number; tick_id: string; day: string; link_id: string }, [number]>(
      "SELECT reserved_micros, tick_id, day, link_id FROM calls WHERE id = ? AND state = 'reserved'",
    )
    .get(callId);
}

/** How an open reservation ends: what was billed, the tokens reported, and why. */
export interface ClosedReservation {
  state: "settled" | "charged_full";
  costMicros: Micros;
  tokensIn: number | null;
  tokensOut: number | null;
  outcome: CallOutcome;
  endedAt: string;
}

/**
 * Closes an open reservation at `costMicros` (its shadow cost is the same: it was paid). Only a
 * `reserved` row changes, so a call is never settled twice.
 */
export function closeReservation(db: Database, callId: number, c: ClosedReservation): void {
  db.query(
    `UPDATE calls SET state = ?, cost_micros = ?, shadow_micros = ?, tokens_in = ?, tokens_out = ?, outcome = ?, ended_at = ?
     WHERE id = ? AND state = 'reserved'`,
  ).run(c.state, c.costMicros, c.costMicros, c.tokensIn, c.tokensOut, c.outcome, c.endedAt, callId);
}

/** Sets a settled call's outcome once its draft has been judged (the cost is already recorded). */
export function setCallOutcome(db: Database, callId: number, outcome: CallOutcome): void {
  db.query("UPDATE calls SET outcome = ? WHERE id = ?").run(outcome, callId);
}

/**
 * Charges a dead tick's open reservations in full: the provider may have billed them, and
 * spend already incurred is never lost from the cap.
 */
export function chargeOpenReservations(db: Database, tickId: string, endedAt: string): void {
  db.query(
    `UPDATE calls SET state = 'charged_full', cost_micros = reserved_micros, ended_at = ?, outcome = 'crashed'
     WHERE tick_id = ? AND state = 'reserved'`,
  ).run(endedAt, tickId);
}

export interface Overrun {
  id: number;
  tick_id: string;
  day: string;
  link_id: string;
  model: string | null;
  reserved_micros: number;
  cost_micros: number;
  tokens_in: number | null;
  tokens_out: number | null;
  ended_at: string | null;
}

const OVERRUN = `SELECT id, tick_id, day, link_id, model, reserved_micros, cost_micros, tokens_in, tokens_out, ended_at
  FROM calls WHERE state = 'settled' AND reserved_micros > 0 AND cost_micros > reserved_micros`;

/**
 * A tick's paid calls the provider billed beyond their reservation (the request's maximum). A
 * call with no reservation (spend seeded by hand through the ledger view) is not an overrun.
 */
export function overrunsOf(db: Database, tickId: string): Overrun[] {
  return db.query<Overrun, [string]>(`${OVERRUN} AND tick_id = ? ORDER BY id`).all(tickId);
}

/** The day's overruns (spec time zone), for the status snapshot. */
export function overrunsOn(db: Database, day: string): Overrun[] {
  return db.query<Overrun, [string]>(`${OVERRUN} AND day = ? ORDER BY id`).all(day);
}

/** Free and paid calls, and the tokens they reported, of the ticks started since `since` (UTC ISO). */
export function callMixSince(
  db: Database,
  since: string,
): { free: number; paid: number; tokensIn: number; tokensOut: number } {
  return (
    db
      .query<{ free: number; paid: number; tokensIn: number; tokensOut: number }, [string]>(
        `SELECT coalesce(sum(CASE WHEN c.state = 'free' THEN 1 ELSE 0 END), 0) AS free,
                coalesce(sum(CASE WHEN c.state <> 'free' THEN 1 ELSE 0 END), 0) AS paid,
                coalesce(sum(c.tokens_in), 0) AS tokensIn, coalesce(sum(c.tokens_out), 0) AS tokensOut
           FROM calls c JOIN ticks t ON t.id = c.tick_id WHERE t.started_at >= ?`,
      )
      .get(since) ?? { free: 0, paid: 0, tokensIn: 0, tokensOut: 0 }
  );
}

/** How many calls of each kind (ollama, openai, extractive…) the ticks of one spec (by hash) made. */
export function callKindsOfSpec(db: Database, specHash: string): { kind: string; n: number }[] {
  return db
    .query<{ kind: string; n: number }, [string]>(
      `SELECT c.kind AS kind, count(*) AS n FROM calls c JOIN ticks t ON t.id = c.tick_id
        WHERE t.spec_hash = ? GROUP BY c.kind`,
    )
    .all(specHash);
}

/**
 * Whether a tick after `afterRowid` called link `to` once link `from` had not ended `ok` in it:
 * a hand-over inside one tick (a job's request through the proxy leaves no fallback reason).
 */
export function handedOverSince(db: Database, afterRowid: number, from: string, to: string): boolean {
  const row = db
    .query<{ n: number }, [number, string, string]>(
      `SELECT count(*) AS n FROM calls c JOIN ticks t ON t.id = c.tick_id
        WHERE t.rowid > ? AND c.link_id = ?
          AND EXISTS (SELECT 1 FROM calls p WHERE p.tick_id = c.tick_id AND p.link_id = ? AND p.outcome IS NOT 'ok')`,
    )
    .get(afterRowid, to, from);
  return (row?.n ?? 0) > 0;
}
