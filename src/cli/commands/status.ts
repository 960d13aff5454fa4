import { EXIT } from "../../core/exit.ts";
import { formatStatus } from "../../status/format.ts";
import { ledgerForReading } from "../../status/open.ts";
import { statusSnapshot } from "../../status/snapshot.ts";
import { flagBool, SPEC_FLAG } from "../args.ts";
import type { Command } from "../command.ts";
import { buildContext } from "../context.ts";

export const statusCommand: Command = {
  name: "status",
  summary: "one glance: today, the last tick, kill flag, cap, next run, alert (--json)",
  usage: "afk status [--spec PATH] [--json]",
  flags: { ...SPEC_FLAG, json: { type: "boolean" } },
  async run(args, deps) {
    const app = buildContext(args, deps);
    const ledger = ledgerForReading(app, { readOnly: true });
    try {
      const snapshot = statusSnapshot({ app, db: ledger.db, handle: null });
      if (flagBool(args, "json")) app.deps.print(JSON.stringify(snapshot, null, 2));
      else for (const line of formatStatus(snapshot)) app.deps.print(line);
      return EXIT.ok;
    } finally {
      ledger.close();
    }
  },
};
