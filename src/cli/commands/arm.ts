import { EXIT } from "../../core/exit.ts";
import { hostOf } from "../../runner/app.ts";
import { removeFlag } from "../../runner/flag.ts";
import type { Command } from "../command.ts";

export const armCommand: Command = {
  name: "arm",
  summary: "remove the kill flag so ticks may run again",
  usage: "afk arm",
  flags: {},
  async run(_args, deps) {
    const host = hostOf(deps);
    const had = removeFlag(host.killFlag);
    deps.print(
      had
        ? `kill flag removed: ${host.killFlag} (armed)`
        : `no kill flag at ${host.killFlag} (already armed)`,
    );
    return EXIT.ok;
  },
};
