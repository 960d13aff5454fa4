import { EXIT } from "../../core/exit.ts";
import { hostOf } from "../../runner/app.ts";
import { homeFlags, removeFlag } from "../../runner/flag.ts";
import { readPidRecord } from "../../runner/pidfile.ts";
import type { Command } from "../command.ts";

export const armCommand: Command = {
  name: "arm",
  summary: "remove the kill flag so ticks may run again",
  usage: "afk arm",
  flags: {},
  async run(_args, deps) {
    const host = hostOf(deps);
    const { own, served } = homeFlags(host.killFlag, readPidRecord(host.home));
    const had = removeFlag(own);
    deps.print(had ? `kill flag removed: ${own} (armed)` : `no kill flag at ${own} (already armed)`);
    if (served !== undefined && removeFlag(served))
      deps.print(`kill flag removed: ${served} (the one the serve in ${host.home} watches, from afk.pid)`);
    return EXIT.ok;
  },
};
