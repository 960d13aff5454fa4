import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cmdlineOf, here, identityOf, type ProcessIdentity, startTimeOf } from "../core/identity.ts";

/** `afk serve` writes who it is here so `afk kill` can signal it, and only it. */
export function pidfilePath(home: string): string {
  return join(home, "afk.pid");
}

/** What afk.pid records: the pid, and what proves a live process with that pid is still the same serve. */
export interface PidRecord extends ProcessIdentity {
  cmdline: string[];
  session: string;
}

/**
 * The pidfile's record; a bare pid (written by an older afk) has no proof in it, so only its pid
 * is set. Null when there is no pidfile or it names no pid.
 */
export function readPidRecord(home: string): (Partial<PidRecord> & { pid: number }) | null {
  const path = pidfilePath(home);
  if (!existsSync(path)) return null;
  const text = readFileSync(path, "utf8").trim();
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

export function writePidfile(home: string, pid: number, session = ""): void {
  const record: PidRecord = { ...identityOf(pid), cmdline: cmdlineOf(pid), session };
  writeFileSync(pidfilePath(home), `${JSON.stringify(record)}\n`);
}

/** Removes the pidfile only if it still names `pid` (a newer serve may have replaced it). */
export function removePidfile(home: string, pid: number): void {
  if (readPidfile(home) === pid) rmSync(pidfilePath(home), { force: true });
}

/** Why a pidfile's pid may not be signalled, or null when it is proven to be the serve that wrote it. */
export function unproven(r: Partial<PidRecord> & { pid: number }): string | null {
  if (r.start === undefined || r.cmdline === undefined || r.boot === undefined)
    return "it records no start time, boot id or command line (written by an older afk)";
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

/** Whether the pidfile names a live afk serve: proven by its record, or (older pidfile) by its command line. */
export function pidfileNamesLiveServe(home: string, self: number): number | null {
  const r = readPidRecord(home);
  if (r === null || r.pid === self) return null;
  if (r.start !== undefined) return unproven(r) === null ? r.pid : null;
  const cmd = cmdlineOf(r.pid);
  return cmd.includes("serve") && startTimeOf(r.pid) !== "" ? r.pid : null;
}
