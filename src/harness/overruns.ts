import type { Database } from "bun:sqlite";
import { spendOnDay } from "../ledger/ticks.ts";
import { overrunsOf } from "../models/calls.ts";
import type { Span } from "../trace/tracer.ts";

/**
 * A `budget.overrun` event for each call of the tick a provider billed beyond what afk reserved
 * (the digest's chain or a job's proxy alike): spend is never crossed silently.
 */
export function traceOverruns(
  span: Span,
  db: Database,
  t: { tickId: string; day: string; capMicros: number },
): void {
  for (const o of overrunsOf(db, t.tickId))
    span.event("budget.overrun", {
      link: o.link_id,
      model: o.model ?? "",
      reserved_micros: o.reserved_micros,
      billed_micros: o.cost_micros,
      over_micros: o.cost_micros - o.reserved_micros,
      tokens_in: o.tokens_in ?? -1,
      tokens_out: o.tokens_out ?? -1,
      spent_today_micros: spendOnDay(db, t.day),
      cap_micros: t.capMicros,
    });
}
