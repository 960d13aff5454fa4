import { EXIT } from "../../core/exit.ts";
import { hostOf } from "../../runner/app.ts";
import { flagsOfHome, ignoredFlagLine, recordedFlagLine, removeFlag } from "../../runner/flag.ts";
import type { Command } from "../command.ts";

export const armCommand: Command = {
  name: "arm",
  summary: "remove the kill flag so ticks may run again",
  usage: "afk arm",
  flags: {},
  async run(_args, deps) {
    const host = hostOf(deps);
    const { own, others, ignored } = flagsOfHome(host.killFlag, host.home);
    const had = removeFlag(own);
    deps.print(had ? `kill flag removed: ${own} (armed)` : `no kill flag at ${own} (already armed)`);
    for (const flag of others) if (removeFlag(flag)) deps.print(recordedFlagLine(flag, host.home, "removed"));
    for (const flag of ignored) deps.warn(ignoredFlagLine(flag, host.home, "removed"));
    return EXIT.ok;
  },
};
