import { EXIT } from "../../core/exit.ts";
import { ledgerForReading } from "../../status/open.ts";
import { formatIncidents, incidents } from "../../status/reports.ts";
import { readTickTrace } from "../../trace/read.ts";
import { flagString, SPEC_FLAG } from "../args.ts";
import type { Command } from "../command.ts";
import { buildContext } from "../context.ts";
import { sinceDay } from "./ledger.ts";

export const incidentsCommand: Command = {
  name: "incidents",
  summary: "degraded and failed ticks with their caught errors and trace paths",
  usage: "afk incidents [--spec PATH] [--since YYYY-MM-DD]",
  flags: { ...SPEC_FLAG, since: { type: "string" } },
  async run(args, deps) {
    const since = sinceDay(flagString(args, "since"));
    const app = buildContext(args, deps);
    const ledger = ledgerForReading(app);
    try {
      const list = incidents(ledger.db, since, (row) => readTickTrace(app.host.home, row.id, row.trace_path));
      for (const line of formatIncidents(list)) app.deps.print(line);
      return EXIT.ok;
    } finally {
      ledger.close();
    }
  },
};
