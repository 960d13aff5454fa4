import { formatUsd } from "../../core/money.ts";
import type { TickSummary } from "../../harness/tick.ts";
import { runTick } from "../../harness/tick.ts";
import { defaultRunners } from "../../models/runners.ts";
import { latestSlot } from "../../runner/slots.ts";
import { fetchSources } from "../../sources/index.ts";
import { flagBool } from "../args.ts";
import type { Command } from "../command.ts";
import { buildContext } from "../context.ts";

/** What a person reads after a tick. */
export function describeTick(s: TickSummary): string[] {
  const lines = [`tick ${s.tickId}: ${s.status}${s.reason ? ` — ${s.reason}` : ""}`];
  if (s.outPath) lines.push(`  digest: ${s.outPath} (${s.items} items, value ${formatUsd(s.valueMicros)})`);
  for (const f of s.failedSources)
    lines.push(`  source ${f.id}${f.optional ? " (optional)" : ""} failed: ${f.code}: ${f.error}`);
  lines.push(`  trace:  ${s.tracePath} (afk trace ${s.tickId})`);
  return lines;
}

export const tickCommand: Command = {
  name: "tick",
  summary: "run one tick now for the latest slot (cron mode)",
  usage: "afk tick [--spec PATH] [--force]",
  async run(args, deps) {
    const app = buildContext(args, deps);
    try {
      const now = app.deps.clock.now();
      const summary = await runTick(
        { trigger: "manual", slot: latestSlot(app.loaded.spec, now), force: flagBool(args, "force") },
        {
          loaded: app.loaded,
          db: app.db(),
          deps: app.deps,
          version: app.version,
          capMicros: app.capMicros,
          signal: new AbortController().signal,
          checkpoint: () => {},
          fetchSources,
          runners: defaultRunners,
        },
      );
      for (const line of describeTick(summary)) app.deps.print(line);
      return summary.status === "failed" ? 1 : 0;
    } finally {
      app.close();
    }
  },
};
