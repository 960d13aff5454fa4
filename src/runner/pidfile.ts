import { rmSync } from "node:fs";
import { cmdlineOf, identityOf } from "../core/identity.ts";
import { writeFileAtomic } from "../core/write-atomic.ts";
import { type PidRecord, pidfilePath, readPidfile } from "./pidfile-read.ts";
import type { RunnerSettings } from "./runner-settings.ts";

export {
  liveServeRecord,
  type PidRecord,
  pidfileNamesLiveServe,
  pidfilePath,
  readPidfile,
  readPidRecord,
  settingsOf,
  unproven,
} from "./pidfile-read.ts";

/**
 * Replaced whole (atomic rename), never rewritten in place: `afk kill` and `afk status` read it
 * (status by mapping it, see fs-light) and must see the old record or the new one, not a cut one.
 */
export function writePidfile(home: string, pid: number, session = "", settings?: RunnerSettings): void {
  const record: PidRecord = { ...identityOf(pid), cmdline: cmdlineOf(pid), session, settings };
  writeFileAtomic(pidfilePath(home), `${JSON.stringify(record)}\n`);
}

/** Removes the pidfile only if it still names `pid` (a newer serve may have replaced it). */
export function removePidfile(home: string, pid: number): void {
  if (readPidfile(home) === pid) rmSync(pidfilePath(home), { force: true });
}
