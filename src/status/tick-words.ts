import { formatUsd } from "../core/money.ts";
import type { TickRow } from "../ledger/ticks.ts";
import { explainModel, explainSource } from "./explain.ts";
import { tickDetail } from "./queries.ts";
import type { StatusSnapshot } from "./snapshot-view.ts";

/**
 * What one tick did, in a line an operator reads in a table cell or a heartbeat title: the
 * translated problems rather than the runtime's text (that stays in the trace).
 */
export function tickWords(t: TickRow, spec: StatusSnapshot["spec"], when: (iso: string) => string): string {
  const d = tickDetail(t);
  const problems = [
    ...d.failed_sources.map(
      (f) =>
        `${f.optional ? "optional " : ""}${explainSource(
          f,
          spec.sources.find((x) => x.id === f.id),
        )}`,
    ),
    ...d.fallbacks.map(
      (f) =>
        `${explainModel(
          f.from,
          f.reason,
          spec.models.find((m) => m.id === f.from),
          when,
        )}; ${f.to} took over`,
    ),
  ];
  switch (t.status) {
    case "ok":
      return `delivered ${t.items} item${t.items === 1 ? "" : "s"} (value ${formatUsd(t.value_micros)})`;
    case "degraded":
      return `delivered ${t.items} items, but: ${problems.join("; ") || (t.reason ?? "a fallback fired")}`;
    case "failed":
    case "timeout":
    case "crashed": {
      const why = problems.length ? problems.join("; ") : (t.reason ?? "no reason recorded");
      return `${t.status === "failed" ? "no digest" : t.status === "timeout" ? "cut at max_tick_seconds" : "the process died mid-tick"}: ${why}`;
    }
    case "quiet":
      return `quiet: every required source answered, but only ${t.items} new item${t.items === 1 ? "" : "s"} (fewer than min_items); no digest, not a failure`;
    case "halted_cap":
      return "refused: the spend cap was reached";
    case "refused_kill":
      return "refused: the kill flag was present";
    case "killed":
      return "stopped mid-tick by the operator (kill flag, afk kill or a signal)";
    case "skipped_overlap":
      return "skipped: the previous tick was still running";
    case "skipped_done":
      return "skipped: this slot was already delivered";
    case "running":
      return "running now";
    default: {
      const never: never = t.status;
      return never;
    }
  }
}
