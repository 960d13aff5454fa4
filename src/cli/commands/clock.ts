import { dayIn } from "../../core/clock.ts";
import { AfkError } from "../../core/errors.ts";
import { EXIT } from "../../core/exit.ts";
import { readClock } from "../../status/clock-state.ts";
import { ledgerForReading } from "../../status/open.ts";
import { RUN_LOG, startClock } from "../../status/run-log.ts";
import { unattendedDays } from "../../status/unattended.ts";
import { SPEC_FLAG } from "../args.ts";
import type { Command } from "../command.ts";
import { buildContext } from "../context.ts";

export const clockCommand: Command = {
  name: "clock",
  summary: "the unattended clock: `afk clock start` writes Day 0; `afk clock` prints unattended days",
  usage: "afk clock [start] [--spec PATH]",
  flags: { ...SPEC_FLAG },
  positionals: 1,
  async run(args, deps) {
    const sub = args.positionals[0];
    if (sub !== undefined && sub !== "start")
      throw new AfkError("usage", `clock: unknown subcommand '${sub}' (afk clock | afk clock start)`);
    const app = buildContext(args, deps);
    try {
      const { spec } = app.loaded;
      const now = app.deps.clock.now();
      if (sub === "start") {
        const { clock, created } = startClock(app.db(), app.host.home, spec, now);
        app.deps.print(
          created
            ? `clock started: Day 0 is ${clock.start_day} (${spec.timezone}); written to ${RUN_LOG}`
            : `clock already running since ${clock.started_at} (Day 0 = ${clock.start_day}); not restarted`,
        );
        return EXIT.ok;
      }
      const ledger = ledgerForReading(app);
      try {
        const clock = readClock(ledger.db);
        if (!clock) {
          app.deps.print("clock: not started (afk clock start)");
          return EXIT.failed;
        }
        const n = unattendedDays(
          { db: ledger.db, spec, tickSeconds: app.host.tickSeconds, clock },
          dayIn(now, spec.timezone),
        );
        app.deps.print(
          `${n} consecutive unattended day${n === 1 ? "" : "s"} (clock started ${clock.started_at}, Day 0 = ${clock.start_day})`,
        );
        return EXIT.ok;
      } finally {
        ledger.close();
      }
    } finally {
      app.close();
    }
  },
};
