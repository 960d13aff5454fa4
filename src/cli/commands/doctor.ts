import { homedir } from "node:os";
import { EXIT } from "../../core/exit.ts";
import { renderChecks } from "../../factory/doctor/check.ts";
import { runDoctor } from "../../factory/doctor/doctor.ts";
import { hostProbe } from "../../factory/doctor/probe.ts";
import type { ScheduleProbe } from "../../factory/doctor/schedule-check.ts";
import { bunSpawn } from "../../factory/spawn.ts";
import { hostOf } from "../../runner/app.ts";
import { flagBool, flagString, SPEC_FLAG } from "../args.ts";
import type { Command } from "../command.ts";
import { VERSION } from "../version.ts";

/** `afk doctor`; tests inject where schedules are looked for. */
export function makeDoctorCommand(opts: { probe?: ScheduleProbe; ollamaTimeoutMs?: number } = {}): Command {
  return {
    name: "doctor",
    summary: "check this host can run afk unattended; each failure with the command that fixes it",
    usage:
      "afk doctor [--spec PATH] [--env-file PATH] [--preflight]   (exit 0 all required checks pass, 1 otherwise; --preflight: before a deploy's swap, the schedule is not checked)",
    flags: { ...SPEC_FLAG, "env-file": { type: "string" }, preflight: { type: "boolean" } },
    async run(args, deps) {
      const host = hostOf(deps);
      const { results } = await runDoctor({
        deps,
        host,
        specFlag: flagString(args, "spec"),
        probe: opts.probe ?? hostProbe(deps.env.HOME || homedir(), bunSpawn, deps.env),
        envFile: flagString(args, "env-file"),
        ollamaTimeoutMs: opts.ollamaTimeoutMs,
        preflight: flagBool(args, "preflight"),
      });
      deps.print(`afk doctor · afk ${VERSION} · AFK_HOME ${host.home}`);
      for (const line of renderChecks(results)) deps.print(line);
      return results.some((r) => r.state === "fail") ? EXIT.failed : EXIT.ok;
    },
  };
}

export const doctorCommand: Command = makeDoctorCommand();
