import type { Database } from "bun:sqlite";
import { dayIn } from "../core/clock.ts";
import { formatUsd } from "../core/money.ts";
import { spendOnDay } from "../ledger/ticks.ts";
import { worstCaseTickMicros } from "../models/budget.ts";
import type { Spec } from "../spec/schema.ts";

/** The exact lines the lab looks for. */
export const KILL_LINE = "KILL flag present — refusing to run.";
export const CAP_LINE = "Spend cap reached — halting.";

/** Today's spend at or over the cap. */
export function isOverCap(spentMicros: number, capMicros: number): boolean {
  return spentMicros >= capMicros;
}

/** One more tick at its worst case would end above the cap: halt before starting it. */
export function wouldCrossCap(spentMicros: number, worstTickMicros: number, capMicros: number): boolean {
  return worstTickMicros > 0 && spentMicros + worstTickMicros > capMicros;
}

export type GuardVerdict =
  | { kind: "go"; spentMicros: number; worstMicros: number }
  | { kind: "refused_kill"; reason: string }
  | { kind: "halted_cap"; reason: string; spentMicros: number; worstMicros: number };

export interface GuardInput {
  db: Database;
  spec: Spec;
  capMicros: number;
  now: Date;
  killFlag: string;
  flagPresent: boolean;
}

/**
 * The guard that runs before any work of a tick: the kill flag first, then the day's spend
 * (spec time zone) against the cap, then the pre-flight (spend + one tick's worst case).
 * Reads only the ledger; fetches nothing, calls no model, writes no file.
 */
export function checkGuard(g: GuardInput): GuardVerdict {
  if (g.flagPresent) return { kind: "refused_kill", reason: `kill flag ${g.killFlag} present` };
  const day = dayIn(g.now, g.spec.timezone);
  const spentMicros = spendOnDay(g.db, day);
  const worstMicros = worstCaseTickMicros(g.spec);
  if (isOverCap(spentMicros, g.capMicros))
    return {
      kind: "halted_cap",
      reason: `spent ${formatUsd(spentMicros)} on ${day}, cap ${formatUsd(g.capMicros)}`,
      spentMicros,
      worstMicros,
    };
  if (wouldCrossCap(spentMicros, worstMicros, g.capMicros))
    return {
      kind: "halted_cap",
      reason: `pre-flight: spent ${formatUsd(spentMicros)} on ${day} + one tick's worst case ${formatUsd(worstMicros)} would cross the cap ${formatUsd(g.capMicros)}`,
      spentMicros,
      worstMicros,
    };
  return { kind: "go", spentMicros, worstMicros };
}
