import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { type PidRecord, readPidRecord, settingsOf } from "./pidfile-read.ts";
import { homeFlags, readCronSettings } from "./runner-settings.ts";

/** Whether the kill flag exists: checked before every tick and between pipeline steps. */
export function flagPresent(path: string): boolean {
  return existsSync(path);
}

/** Creates the kill flag (and its directory), recording who and when inside it. */
export function createFlag(path: string, note: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${note}\n`);
}

/** Removes the kill flag; true when there was one. */
export function removeFlag(path: string): boolean {
  const had = existsSync(path);
  rmSync(path, { force: true });
  return had;
}

/**
 * homeFlags for this home: what its serve (afk.pid, read here unless the caller read it already)
 * and its cron line (afk.cron.json) recorded.
 */
export function flagsOfHome(
  own: string,
  home: string,
  record: Partial<PidRecord> | null = readPidRecord(home),
): ReturnType<typeof homeFlags> {
  return homeFlags(own, home, [record && settingsOf(record), readCronSettings(home)]);
}

/** The line for a recorded flag acted on besides the command's own (see homeFlags). */
export function recordedFlagLine(flag: string, home: string, verb: "created" | "removed"): string {
  return `kill flag ${verb}: ${flag} (the one the runner of ${home} watches: its AFK_KILL_FLAG)`;
}

/** The line for a recorded flag left alone (see homeFlags). */
export function ignoredFlagLine(flag: string, home: string, verb: "created" | "removed"): string {
  return `the runner of ${home} recorded the kill flag ${flag}, outside AFK_HOME and not named afk.kill: not ${verb}; run this with AFK_KILL_FLAG=${flag}`;
}
