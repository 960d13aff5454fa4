import { readTextLight } from "../core/fs-light.ts";
import type { ProcessIdentity } from "../core/identity.ts";
import { join } from "../core/path-light.ts";
import { type RunnerSettings, validSettings } from "./runner-settings.ts";

/**
 * Reads /proc (node:fs): loaded only when a pidfile names a pid, so `afk status` with no serve
 * running never pays for it.
 */
function identity(): typeof import("../core/identity.ts") {
  return require("../core/identity.ts");
}

/** `afk serve` writes who it is here so `afk kill` can signal it, and only it. */
export function pidfilePath(home: string): string {
  return join(home, "afk.pid");
}

/** What afk.pid records: the pid, what proves a live process with that pid is still the same serve, and its settings. */
export interface PidRecord extends ProcessIdentity {
  cmdline: string[];
  session: string;
  /** Absent in a pidfile written before afk recorded them. */
  settings?: RunnerSettings;
}

/** The record's settings when they are whole (an older or hand-edited pidfile may hold less). */
export function settingsOf(r: Partial<PidRecord>): RunnerSettings | null {
  return validSettings(r.settings);
}

/**
 * The pidfile's record; a bare pid (written by an older afk) has no proof in it, so only its pid
 * is set. Null when there is no pidfile or it names no pid.
 */
export function readPidRecord(home: string): (Partial<PidRecord> & { pid: number }) | null {
  const text = readTextLight(pidfilePath(home))?.trim();
  if (text === undefined) return null;
  try {
    const r = JSON.parse(text) as Partial<PidRecord>;
    if (typeof r === "object" && r !== null && Number.isInteger(r.pid) && (r.pid ?? 0) > 0)
      return r as Partial<PidRecord> & { pid: number };
  } catch {
    // an older afk's bare pid
  }
  const pid = Number(text);
  return Number.isInteger(pid) && pid > 0 ? { pid } : null;
}

export function readPidfile(home: string): number | null {
  return readPidRecord(home)?.pid ?? null;
}

/** Why a pidfile's pid may not be signalled, or null when it is proven to be the serve that wrote it. */
export function unproven(r: Partial<PidRecord> & { pid: number }): string | null {
  if (r.start === undefined || r.cmdline === undefined || r.boot === undefined)
    return "it records no start time, boot id or command line (written by an older afk)";
  const { here, startTimeOf, cmdlineOf } = identity();
  const h = here();
  if (r.host !== h.host || r.boot !== h.boot || r.ns !== h.ns)
    return `it was written on another host, boot or PID namespace (${r.host})`;
  const start = startTimeOf(r.pid);
  if (!start) return `pid ${r.pid} is not running`;
  if (start !== r.start) return `pid ${r.pid} started at another time: it is another process now`;
  const cmd = cmdlineOf(r.pid);
  if (cmd.join("\0") !== r.cmdline.join("\0") || !cmd.includes("serve"))
    return `pid ${r.pid} runs '${cmd.join(" ")}', not the serve that wrote the pidfile`;
  return null;
}

/** The pidfile's record when it names a live afk serve: proven by its record, or (older pidfile) by its command line. */
export function liveServeRecord(home: string, self: number): (Partial<PidRecord> & { pid: number }) | null {
  const r = readPidRecord(home);
  if (r === null || r.pid === self) return null;
  if (r.start !== undefined) return unproven(r) === null ? r : null;
  const { startTimeOf, cmdlineOf } = identity();
  const cmd = cmdlineOf(r.pid);
  return cmd.includes("serve") && startTimeOf(r.pid) !== "" ? r : null;
}

/** Whether the pidfile names a live afk serve (its pid), as liveServeRecord proves it. */
export function pidfileNamesLiveServe(home: string, self: number): number | null {
  return liveServeRecord(home, self)?.pid ?? null;
}
