import type { Database } from "bun:sqlite";
import { AfkError } from "../../core/errors.ts";
import { EXIT } from "../../core/exit.ts";
import { readBuildRecords } from "../../evidence/builds.ts";
import { incidentGroups } from "../../evidence/incidents.ts";
import { retroFigures } from "../../evidence/retro-figures.ts";
import { renderIncidents, renderMoney } from "../../evidence/retro-render.ts";
import { shadowPrices } from "../../models/calls.ts";
import { readClock } from "../../status/clock-state.ts";
import { ledgerForReading } from "../../status/open.ts";
import { flagString, SPEC_FLAG } from "../args.ts";
import type { Command } from "../command.ts";
import { buildContext } from "../context.ts";

/** Where the window starts: --since, else when the unattended clock started, else the first tick. */
export function windowStart(db: Database, flag: string | undefined): { since: string; from: string } {
  if (flag !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/.test(flag) || Number.isNaN(Date.parse(flag)))
      throw new AfkError("usage", `retro: --since must be YYYY-MM-DD or a UTC ISO time, not '${flag}'`);
    return { since: flag, from: "--since" };
  }
  const clock = readClock(db);
  if (clock) return { since: clock.started_at, from: "since the unattended clock started" };
  const first = db.query<{ ts: string }, []>("SELECT min(started_at) AS ts FROM ticks").get()?.ts;
  return first
    ? { since: first, from: "since the first tick; no clock was started" }
    : { since: "1970-01-01", from: "empty ledger" };
}

export const retroCommand: Command = {
  name: "retro",
  summary: "the retrospective's money section and production-bug material, from the ledger",
  usage: "afk retro [--spec PATH] [--since YYYY-MM-DD]",
  flags: { ...SPEC_FLAG, since: { type: "string" } },
  async run(args, deps) {
    const app = buildContext(args, deps);
    const ledger = ledgerForReading(app);
    try {
      const { since, from } = windowStart(ledger.db, flagString(args, "since"));
      const figures = retroFigures(ledger.db, since);
      const lines = [
        ...renderMoney(figures, app.loaded, shadowPrices(app.loaded.spec), from),
        "",
        ...renderIncidents(incidentGroups(ledger.db, since, readBuildRecords(app.host.home))),
      ];
      for (const l of lines) app.deps.print(l);
      return EXIT.ok;
    } finally {
      ledger.close();
    }
  },
};
