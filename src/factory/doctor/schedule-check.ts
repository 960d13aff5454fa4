import { existsSync } from "node:fs";
import { type CheckResult, fail, ok } from "./check.ts";

export interface ScheduleProbe {
  /** systemd unit files to look for. */
  unitPaths: readonly string[];
  /** launchd plists to look for. */
  plistPaths: readonly string[];
  /** The user's crontab text ('' when there is none or no crontab command). */
  crontab(): Promise<string>;
}

/** A schedule runs afk on this host: a systemd unit, a crontab entry, or a launchd agent. */
export async function checkSchedule(probe: ScheduleProbe): Promise<CheckResult> {
  const unit = probe.unitPaths.find((p) => existsSync(p));
  if (unit) return ok("schedule", `systemd unit ${unit}`);
  const plist = probe.plistPaths.find((p) => existsSync(p));
  if (plist) return ok("schedule", `launchd agent ${plist}`);
  const entry = (await probe.crontab())
    .split("\n")
    .find((l) => !l.trimStart().startsWith("#") && /\bafk\b.* tick\b/.test(l));
  if (entry) return ok("schedule", `crontab: ${entry.trim()}`);
  return fail(
    "schedule",
    "no systemd unit, crontab entry or launchd agent runs afk",
    "afk install --systemd --apply   (or --cron / --launchd; without --apply it only prints)",
  );
}
