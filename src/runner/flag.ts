import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { type PidRecord, settingsOf } from "./pidfile-read.ts";

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
 * The kill flags `afk kill` and `afk arm` act on: this environment's, then the one the home's serve
 * recorded in its pidfile when that is another path. Run by hand without the service's env file
 * (AFK_KILL_FLAG), kill would raise a flag the serve never reads — and a serve its supervisor
 * restarts after the SIGTERM would tick again — while status said "stopped".
 */
export function homeFlags(own: string, record: Partial<PidRecord> | null): { own: string; served?: string } {
  const served = record ? settingsOf(record)?.kill_flag : undefined;
  return served && served !== own ? { own, served } : { own };
}
