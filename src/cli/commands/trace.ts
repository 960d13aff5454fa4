import { join } from "node:path";
import { AfkError } from "../../core/errors.ts";
import { EXIT } from "../../core/exit.ts";
import { openDatabase } from "../../ledger/db.ts";
import { getTick, lastTick } from "../../ledger/ticks.ts";
import { hostOf } from "../../runner/app.ts";
import { readTickTrace, renderTraceTree } from "../../trace/read.ts";
import type { Command } from "../command.ts";

export const traceCommand: Command = {
  name: "trace",
  summary: "print the last (or the given) tick's trace as a tree",
  usage: "afk trace [TICK_ID]   (exit 1 when the ledger has no tick yet)",
  flags: {},
  positionals: 1,
  async run(args, deps) {
    const host = hostOf(deps);
    const db = openDatabase(join(host.home, "ledger.sqlite"));
    try {
      const id = args.positionals[0];
      // An empty ledger is nothing to show (exit 1, as `afk clock` with no clock), not bad usage;
      // an ID that names no tick is an argument that is wrong (exit 2, with the usage).
      const row = id ? getTick(db, id) : lastTick(db);
      if (!row && !id) {
        deps.print("trace: the ledger has no ticks yet — afk tick runs one");
        return EXIT.failed;
      }
      if (!row) throw new AfkError("usage", `trace: no tick ${id} in the ledger`);
      const records = readTickTrace(host.home, row.id, row.trace_path);
      deps.print(
        `tick ${row.id} · ${row.status} · ${row.trigger} · slot ${row.slot} · ${row.trace_path ?? "(no trace path)"}`,
      );
      if (records.length === 0) deps.print("  (no trace records found)");
      for (const line of renderTraceTree(records)) deps.print(`  ${line}`);
      return EXIT.ok;
    } finally {
      db.close();
    }
  },
};
