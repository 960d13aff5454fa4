import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { AfkError } from "../../core/errors.ts";
import { EXIT } from "../../core/exit.ts";
import { hostTimeZone } from "../../factory/cron-zone.ts";
import { applySchedule, checkLayout } from "../../factory/install.ts";
import { type Layout, renderSchedule, SCHEDULE_KINDS, type ScheduleKind } from "../../factory/schedule.ts";
import { bunSpawn } from "../../factory/spawn.ts";
import { hostOf } from "../../runner/app.ts";
import { resolveSpec } from "../../spec/resolve.ts";
import { flagBool, flagString, SPEC_FLAG } from "../args.ts";
import type { Command } from "../command.ts";

/**
 * The command that runs this afk: the binary itself, or `bun src/main.ts` from a checkout.
 * Reads the running process (the outer shell), like main.
 */
export function selfCommand(): string {
  return Bun.isStandaloneExecutable
    ? process.execPath
    : `${process.execPath} ${resolve(import.meta.dir, "../../main.ts")}`;
}

export const installCommand: Command = {
  name: "install",
  summary: "print (or with --apply install) the cron line, systemd unit or launchd agent for this host",
  usage: "afk install --cron|--systemd|--launchd [--apply] [--env-file PATH] [--spec PATH]",
  flags: {
    ...SPEC_FLAG,
    cron: { type: "boolean" },
    systemd: { type: "boolean" },
    launchd: { type: "boolean" },
    apply: { type: "boolean" },
    "env-file": { type: "string" },
  },
  async run(args, deps) {
    const kinds = SCHEDULE_KINDS.filter((k) => flagBool(args, k));
    const [kind] = kinds;
    if (kind === undefined || kinds.length > 1)
      throw new AfkError("usage", "install: pick one of --cron, --systemd, --launchd");
    const host = hostOf(deps);
    const loaded = resolveSpec(flagString(args, "spec"), host.home);
    const userHome = deps.env.HOME || homedir();
    const layout: Layout = {
      command: selfCommand(),
      home: host.home,
      envFile: resolve(host.home, flagString(args, "env-file") ?? "afk.env"),
      // The kill flag defaults into AFK_HOME so the systemd sandbox (ProtectHome) can still see it.
      killFlag: deps.env.AFK_KILL_FLAG ? host.killFlag : join(host.home, "afk.kill"),
      user: deps.env.SUDO_USER || deps.env.USER || "afk",
      cadence: loaded.spec.cadence,
      timezone: loaded.spec.timezone,
      hostTimezone: hostTimeZone(),
    };
    checkLayout(layout);
    if (kind === "cron" && layout.cadence.trim().split(/\s+/).length !== 5)
      throw new AfkError(
        "usage",
        `install: cron takes five fields; the spec's cadence '${layout.cadence}' has seconds (use --systemd)`,
      );
    if (!flagBool(args, "apply")) {
      for (const line of renderSchedule(kind as ScheduleKind, layout)
        .trimEnd()
        .split("\n"))
        deps.print(line);
      return EXIT.ok;
    }
    await applySchedule(kind, layout, { spawn: bunSpawn, env: deps.env, userHome, print: deps.print });
    deps.print(`installed (${kind}); check the host with: ${layout.command} doctor`);
    return EXIT.ok;
  },
};
