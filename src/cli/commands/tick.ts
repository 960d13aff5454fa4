import type { Deps } from "../../core/deps.ts";
import { tickExitCode } from "../../core/exit.ts";
import { newSession } from "../../core/identity.ts";
import { formatUsd } from "../../core/money.ts";
import { writeFileAtomic } from "../../core/write-atomic.ts";
import type { TickSummary } from "../../harness/tick-row.ts";
import { guardedTick } from "../../runner/guarded.ts";
import type { RunnerPorts } from "../../runner/ports.ts";
import { realPorts, shouldWatchParent } from "../../runner/process.ts";
import {
  CRON_LATE_MS,
  cronRecordText,
  cronSettingsPath,
  hostSettings,
} from "../../runner/runner-settings.ts";
import { scheduleFor } from "../../spec/slots.ts";
import { statusHooks } from "../../status/hooks.ts";
import { flagBool, SPEC_FLAG } from "../args.ts";
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

export function createTickCommand(portsFor: (deps: Deps) => RunnerPorts): Command {
  return {
    name: "tick",
    summary: "run one guarded tick now for the latest slot (cron mode: --cron)",
    usage:
      "afk tick [--spec PATH] [--force] [--cron [--due]]   (exit 0 done/refused/skipped/not due, 1 no value, 3 spend cap reached; --due: only when a slot came due in the last 10 minutes)",
    flags: { ...SPEC_FLAG, force: { type: "boolean" }, cron: { type: "boolean" }, due: { type: "boolean" } },
    async run(args, deps) {
      const app = buildContext(args, deps, { sendsDigests: true });
      const ports = portsFor(deps);
      const stop = new AbortController();
      const dispose = ports.onStop((why) => stop.abort(why));
      try {
        // What the cron line's environment ticks by, for the commands an operator types without it.
        // Its time tells status whether the cron line still ticks (status/cron-line.ts).
        const now = app.deps.clock.now();
        if (flagBool(args, "cron"))
          writeFileAtomic(
            cronSettingsPath(app.host.home),
            cronRecordText(hostSettings(app.host, app.capMicros), now),
          );
        const schedule = scheduleFor(app.loaded.spec, app.host.tickSeconds);
        const slot = schedule.latest(now);
        if (flagBool(args, "due") && now.getTime() - slot.getTime() > CRON_LATE_MS) {
          // A wake of a cron line widened for the spec's zone (cron fires in the host's): no slot now.
          app.deps.print(
            `afk tick --due: no slot of "${app.loaded.spec.cadence}" (${app.loaded.spec.timezone}) is due at ${now.toISOString()} (latest ${slot.toISOString()}); nothing to do`,
          );
          return 0;
        }
        const summary = await guardedTick(
          {
            trigger: flagBool(args, "cron") ? "schedule" : "manual",
            slot,
            force: flagBool(args, "force"),
            stop: stop.signal,
          },
          { app, hooks: statusHooks, ports, session: newSession(deps.pid) },
        );
        for (const line of describeTick(summary)) app.deps.print(line);
        const code = tickExitCode(summary.status);
        if (stop.signal.aborted) ports.exitWithin(code, 1500);
        return code;
      } finally {
        dispose();
        app.close();
      }
    },
  };
}

export const tickCommand = createTickCommand((deps) =>
  realPorts({ watchParent: shouldWatchParent(deps.env), clock: deps.clock }),
);
