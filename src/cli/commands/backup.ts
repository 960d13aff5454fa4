import { join, resolve } from "node:path";
import { AfkError } from "../../core/errors.ts";
import { EXIT } from "../../core/exit.ts";
import { formatUsd } from "../../core/money.ts";
import { backupLedger, sinceBackup } from "../../ledger/backup.ts";
import { carrySince } from "../../ledger/carry.ts";
import { hostOf } from "../../runner/app.ts";
import { flagString } from "../args.ts";
import type { Command } from "../command.ts";
import { VERSION } from "../version.ts";

/**
 * `afk backup PATH`: a consistent copy of AFK_HOME's ledger while serve runs (the deploy takes one
 * before each swap); `afk backup --since PATH`: what restoring that copy would lose;
 * `afk backup --carry-into PATH`: the spend (and delivered items) recorded since, written into the
 * copy before it is restored, so the restored ledger's cap still counts them.
 */
export const backupCommand: Command = {
  name: "backup",
  summary:
    "copy the ledger consistently while afk runs (--since PATH: what restoring that copy would lose; --carry-into PATH: its spend kept)",
  usage:
    "afk backup PATH | afk backup --since PATH | afk backup --carry-into PATH   (the ledger is read-only here, never migrated)",
  flags: { since: { type: "string" }, "carry-into": { type: "string" } },
  positionals: 1,
  async run(args, deps) {
    const host = hostOf(deps);
    const ledger = join(host.home, "ledger.sqlite");
    const since = flagString(args, "since");
    const carry = flagString(args, "carry-into");
    const dest = args.positionals[0];
    if ([since, carry, dest].filter((x) => x !== undefined).length > 1)
      throw new AfkError("usage", "afk backup: give one of PATH, --since PATH or --carry-into PATH");
    if (carry !== undefined) {
      const into = resolve(deps.cwd, carry);
      const c = carrySince(ledger, into, deps.clock.now(), VERSION);
      const total = c.days.reduce((s, d) => s + d.micros, 0);
      deps.print(
        c.days.length === 0 && c.items === 0
          ? `carried into ${into}: nothing (it already counts the ledger's spend and delivered items)`
          : `carried into ${into}: ${formatUsd(total)} spent since it (${c.days.map((d) => `${d.day} ${formatUsd(d.micros)}`).join(", ") || "none"}), ${c.items} delivered items`,
      );
      return EXIT.ok;
    }
    if (since !== undefined) {
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
