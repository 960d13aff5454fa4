import { join } from "node:path";
import { LAUNCHD_LABEL, SYSTEMD_UNIT_PATH } from "../schedule.ts";
import type { Spawn } from "../spawn.ts";
import type { ScheduleProbe } from "./schedule-check.ts";

/** Where this host keeps schedules: the system and user systemd units, the launchd agent, crontab. */
export function hostProbe(
  userHome: string,
  spawn: Spawn,
  env: Readonly<Record<string, string | undefined>>,
): ScheduleProbe {
  return {
    unitPaths: [SYSTEMD_UNIT_PATH, join(userHome, ".config/systemd/user/afk.service")],
    plistPaths: [join(userHome, "Library/LaunchAgents", `${LAUNCHD_LABEL}.plist`)],
    async crontab() {
      // No crontab command, or no crontab for this user (exit 1): no entry.
      const r = await spawn(["crontab", "-l"], { cwd: userHome, env: { ...env } }).catch(() => undefined);
      return r?.exitCode === 0 ? r.stdout : "";
    },
  };
}
