import { join, resolve } from "node:path";
import { AfkError } from "../../core/errors.ts";
import { EXIT } from "../../core/exit.ts";
import { formatUsd } from "../../core/money.ts";
import { backupLedger, sinceBackup } from "../../ledger/backup.ts";
import { hostOf } from "../../runner/app.ts";
import { flagString } from "../args.ts";
import type { Command } from "../command.ts";

/**
 * `afk backup PATH`: a consistent copy of AFK_HOME's ledger while serve runs (the deploy takes one
 * before each swap); `afk backup --since PATH`: what restoring that copy would lose.
 */
export const backupCommand: Command = {
  name: "backup",
  summary: "copy the ledger consistently while afk runs (--since PATH: what restoring that copy would lose)",
  usage: "afk backup PATH | afk backup --since PATH   (the ledger is read-only here, never migrated)",
  flags: { since: { type: "string" } },
  positionals: 1,
  async run(args, deps) {
    const host = hostOf(deps);
    const ledger = join(host.home, "ledger.sqlite");
    const since = flagString(args, "since");
    const dest = args.positionals[0];
    if (since !== undefined) {
      if (dest !== undefined) throw new AfkError("usage", "afk backup: give PATH or --since PATH, not both");
      const s = sinceBackup(ledger, resolve(deps.cwd, since));
      deps.print(
        `since the backup: ${s.ticks} ticks${s.firstStartedAt ? ` (the first started ${s.firstStartedAt})` : ""}, ${formatUsd(s.spendMicros)} spent`,
      );
      return EXIT.ok;
    }
    if (dest === undefined) throw new AfkError("usage", `usage: ${backupCommand.usage}`);
    const to = resolve(deps.cwd, dest);
    const m = backupLedger(ledger, to);
    deps.print(
      `backup: ${ledger} → ${to} · ${m.ticks} ticks${m.lastStartedAt ? `, the last started ${m.lastStartedAt}` : ""}`,
    );
    return EXIT.ok;
  },
};
