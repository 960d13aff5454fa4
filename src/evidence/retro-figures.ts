import type { Database } from "bun:sqlite";
import type { Micros } from "../core/money.ts";
import { DELIVERED_SQL, type TickStatus } from "../core/status.ts";
import { callMixSince } from "../models/calls.ts";
import { daysBetween, isoWeek } from "../status/days.ts";

/** Which synthesis path the window's calls took, read from `calls.state`. */
export type PathRan = "free" | "paid" | "mixed" | "none";

export interface WeekFigures {
  week: string;
  firstDay: string;
  lastDay: string;
  ticks: number;
  units: number;
  usdInMicros: Micros;
  valueMicros: Micros;
  shadowMicros: Micros;
}

export interface RetroFigures {
  /** The lower bound on `ts` (ticks.started_at), exactly as in the lab's SQL. */
  since: string;
  firstDay: string | null;
  lastDay: string | null;
  /** Calendar days from the first to the last day of the window, inclusive. */
  days: number;
  ticks: number;
  byStatus: Record<string, number>;
  /** Ticks that delivered a unit with value (value_micros > 0). */
  units: number;
  /** Spend: settled cost, or the reservation while a call is still open (as the view's usd_in). */
  usdInMicros: Micros;
  valueMicros: Micros;
  shadowMicros: Micros;
  path: PathRan;
  freeCalls: number;
  paidCalls: number;
  tokensIn: number;
  tokensOut: number;
  /** The chain link that wrote each delivered digest, with counts. */
  writers: Record<string, number>;
  /** Distinct value rates per unit seen in the window (micro-USD); more than one means the spec changed. */
  rates: Micros[];
  weeks: WeekFigures[];
}

interface DayRow {
  day: string;
  ticks: number;
  units: number;
  value: number;
  spend: number;
  shadow: number;
}

/** Every figure of the money section, from the ledger's integer micro-USD columns. */
export function retroFigures(db: Database, since: string): RetroFigures {
  const perDay = db
    .query<DayRow, [string]>(
      `SELECT t.day AS day, count(*) AS ticks,
              sum(CASE WHEN t.value_micros > 0 THEN 1 ELSE 0 END) AS units,
              coalesce(sum(t.value_micros), 0) AS value,
              coalesce(sum((SELECT coalesce(sum(c.spend_micros), 0) FROM call_spend c WHERE c.tick_id = t.id)), 0) AS spend,
              coalesce(sum((SELECT coalesce(sum(c.shadow_micros), 0) FROM call_spend c WHERE c.tick_id = t.id)), 0) AS shadow
         FROM ticks t WHERE t.started_at >= ? GROUP BY t.day ORDER BY t.day`,
    )
    .all(since);
  const byStatus = Object.fromEntries(
    db
      .query<{ status: TickStatus; n: number }, [string]>(
        "SELECT status, count(*) AS n FROM ticks WHERE started_at >= ? GROUP BY status ORDER BY status",
      )
      .all(since)
      .map((r) => [r.status, r.n]),
  );
  const calls = callMixSince(db, since);
  const writers = Object.fromEntries(
    db
      .query<{ model: string; n: number }, [string]>(
        `SELECT coalesce(model, '(none)') AS model, count(*) AS n FROM ticks
          WHERE started_at >= ? AND status IN ${DELIVERED_SQL} GROUP BY model ORDER BY n DESC, model`,
      )
      .all(since)
      .map((r) => [r.model, r.n]),
  );
  const rates = db
    .query<{ v: number }, [string]>(
      "SELECT DISTINCT value_micros AS v FROM ticks WHERE started_at >= ? AND value_micros > 0 ORDER BY v",
    )
    .all(since)
    .map((r) => r.v);

  const sum = (k: keyof Omit<DayRow, "day">) => perDay.reduce((s, d) => s + d[k], 0);
  const firstDay = perDay[0]?.day ?? null;
  const lastDay = perDay.at(-1)?.day ?? null;
  const path: PathRan =
    calls.paid && calls.free ? "mixed" : calls.paid ? "paid" : calls.free ? "free" : "none";
  return {
    since,
    firstDay,
    lastDay,
    days: firstDay && lastDay ? daysBetween(firstDay, lastDay) + 1 : 0,
    ticks: sum("ticks"),
    byStatus,
    units: sum("units"),
    usdInMicros: sum("spend"),
    valueMicros: sum("value"),
    shadowMicros: sum("shadow"),
    path,
    freeCalls: calls.free,
    paidCalls: calls.paid,
    tokensIn: calls.tokensIn,
    tokensOut: calls.tokensOut,
    writers,
    rates,
    weeks: weeksOf(perDay),
  };
}

function weeksOf(perDay: readonly DayRow[]): WeekFigures[] {
  const weeks = new Map<string, WeekFigures>();
  for (const d of perDay) {
    const week = isoWeek(d.day);
    const w = weeks.get(week) ?? {
      week,
      firstDay: d.day,
      lastDay: d.day,
      ticks: 0,
      units: 0,
      usdInMicros: 0,
      valueMicros: 0,
      shadowMicros: 0,
    };
    w.lastDay = d.day;
    w.ticks += d.ticks;
    w.units += d.units;
    w.usdInMicros += d.spend;
    w.valueMicros += d.value;
    w.shadowMicros += d.shadow;
    weeks.set(week, w);
  }
  return [...weeks.values()];
}

/**
 * Micro-USD to a fixed number of decimals, half away from zero like SQLite's round(): the
 * figure the lab's `round(sum(usd_in),4)` prints, computed without floats.
 */
export function fixedUsd(micros: Micros, places: number): string {
  const q = 10 ** (6 - places);
  const abs = Math.abs(micros);
  const r = Math.floor((abs + q / 2) / q);
  const s = String(r).padStart(places + 1, "0");
  const out = places ? `${s.slice(0, -places)}.${s.slice(-places)}` : s;
  return micros < 0 && r > 0 ? `-${out}` : out;
}

/** value ÷ dollars in, as a short phrase: `∞ (nothing spent)`, `12.5×`. */
export function ratio(valueMicros: Micros, usdInMicros: Micros): string {
  if (usdInMicros === 0)
    return valueMicros > 0 ? "∞ (nothing spent)" : "— (nothing spent, nothing delivered)";
  const r = valueMicros / usdInMicros;
  return `${r >= 100 ? Math.round(r).toString() : r.toFixed(r >= 10 ? 1 : 2)}×`;
}
