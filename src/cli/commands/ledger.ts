import { AfkError } from "../../core/errors.ts";
import { EXIT } from "../../core/exit.ts";
import { ledgerForReading } from "../../status/open.ts";
import { formatLedgerReport, ledgerReport } from "../../status/reports.ts";
import { flagBool, flagString, SPEC_FLAG } from "../args.ts";
import type { Command } from "../command.ts";
import { buildContext } from "../context.ts";

/** `--since` as a calendar day; anything else is a usage error, not an empty report. */
export function sinceDay(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value)))
    throw new AfkError("usage", `--since must be a date YYYY-MM-DD, got '${value}'`);
  return value;
}

export const ledgerCommand: Command = {
  name: "ledger",
  summary: "report: ticks, dollars in, value out, weekly value ÷ dollars, paid-model shadow cost",
  usage: "afk ledger [--spec PATH] [--since YYYY-MM-DD] [--json]",
  flags: { ...SPEC_FLAG, since: { type: "string" }, json: { type: "boolean" } },
  async run(args, deps) {
    const since = sinceDay(flagString(args, "since"));
    const app = buildContext(args, deps);
    const ledger = ledgerForReading(app);
    try {
      const report = ledgerReport(ledger.db, since);
      if (flagBool(args, "json")) app.deps.print(JSON.stringify(report, null, 2));
      else for (const line of formatLedgerReport(report)) app.deps.print(line);
      return EXIT.ok;
    } finally {
      ledger.close();
    }
  },
};
