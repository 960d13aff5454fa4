import type { Database } from "bun:sqlite";
import { formatUsd, type Micros } from "../core/money.ts";
import type { TickSummary } from "../harness/tick-row.ts";
import { spendOnDay } from "../ledger/ticks.ts";
import { overrunsOf } from "../models/calls.ts";

/**
 * The alert for a tick whose paid calls a provider billed beyond the request's maximum, or null.
 * Says whether the day's cap was crossed that way: afk reserved the maximum, the provider did not
 * keep to it.
 */
export function overrunNotice(
  db: Database,
  specName: string,
  capMicros: Micros,
  summary: Pick<TickSummary, "tickId" | "tracePath">,
): { title: string; body: string; tags: string; priority: "high"; calls: number; crossed: boolean } | null {
  const over = overrunsOf(db, summary.tickId);
  const first = over[0];
  if (!first) return null;
  const spent = spendOnDay(db, first.day);
  const crossed = spent > capMicros;
  const body = [
    crossed
      ? `The daily cap was crossed by the provider: ${formatUsd(spent)} spent of ${formatUsd(capMicros)}. afk reserved each call's maximum; the provider billed beyond it.`
      : `A provider billed beyond the request's maximum (${formatUsd(spent)} spent of ${formatUsd(capMicros)} today).`,
    "",
    ...over.map(
      (o) =>
        `- ${o.link_id} (${o.model ?? "?"}): billed ${formatUsd(o.cost_micros)} for a call reserved at ${formatUsd(o.reserved_micros)} (${o.tokens_out ?? "?"} output tokens reported); off until tomorrow`,
    ),
    "",
    `tick ${summary.tickId}; trace ${summary.tracePath} (event budget.overrun)`,
  ];
  return {
    title: `afk: ${specName}: ${crossed ? "cap crossed by the provider" : "provider billed beyond the request's maximum"}`,
    body: `${body.join("\n")}\n`,
    tags: "money_with_wings",
    priority: "high",
    calls: over.length,
    crossed,
  };
}
