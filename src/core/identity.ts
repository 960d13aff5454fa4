import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";
import { pidAlive } from "./pid.ts";

/**
 * Who a process is, beyond its pid: the host, the boot (a pid is reused after a reboot), the PID
 * namespace (a container and its host share a disk but not pids) and the process's start time (a
 * pid is reused after an exit). Empty strings where the platform has no such fact (no /proc).
 */
export interface ProcessIdentity {
  host: string;
  boot: string;
  ns: string;
  pid: number;
  /** Start time in clock ticks since boot (/proc/PID/stat field 22). */
  start: string;
}

/** Whether a recorded process still runs: `elsewhere` when it is on another host, boot or namespace. */
export type Liveness = "alive" | "dead" | "elsewhere";

function read(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return "";
  }
}

const HAS_PROC = read("/proc/self/stat") !== "";

/** One column of `ps` for `pid` where there is no /proc (macOS); "" when gone. */
function ps(pid: number, column: "lstart" | "command"): string {
  try {
    const r = Bun.spawnSync(["ps", "-o", `${column}=`, "-p", String(pid)]);
    return r.exitCode === 0 ? r.stdout.toString().trim() : "";
  } catch {
    return "";
  }
}

/** Start time of `pid` (field 22 of /proc/PID/stat, else `ps -o lstart`), "" when unknown or gone. */
export function startTimeOf(pid: number): string {
  if (!HAS_PROC) return ps(pid, "lstart");
  const stat = read(`/proc/${pid}/stat`);
  const close = stat.lastIndexOf(")");
  if (close < 0) return "";
  // Fields after the command name start at field 3; the start time is field 22.
  return stat.slice(close + 2).split(" ")[19] ?? "";
}

/** The command line of `pid` as its words, [] when unknown or gone. */
export function cmdlineOf(pid: number): string[] {
  if (!HAS_PROC) return ps(pid, "command").split(" ").filter(Boolean);
  const raw = read(`/proc/${pid}/cmdline`);
  return raw ? raw.replace(/\0$/, "").split("\0") : [];
}

function pidNamespace(): string {
  try {
    return readlinkSync("/proc/self/ns/pid");
  } catch {
    return "";
  }
}

/** This machine as seen from this process: host name, boot id, PID namespace. */
export function here(): Pick<ProcessIdentity, "host" | "boot" | "ns"> {
  return { host: hostname(), boot: read("/proc/sys/kernel/random/boot_id"), ns: pidNamespace() };
}

/** The identity of `pid` seen from here (this host, boot and namespace). */
export function identityOf(pid: number): ProcessIdentity {
  return { ...here(), pid, start: startTimeOf(pid) };
}

export interface LivenessProbe {
  here(): Pick<ProcessIdentity, "host" | "boot" | "ns">;
  isAlive(pid: number): boolean;
  startTimeOf(pid: number): string;
}

export const realProbe: LivenessProbe = { here, isAlive: pidAlive, startTimeOf };

/**
 * Whether the recorded process still runs. Only a process on this host, boot and PID namespace can be
 * proven dead (its pid gone, or taken by a process that started at another time); one recorded
 * elsewhere is `elsewhere`, never dead by a pid check.
 */
export function liveness(id: ProcessIdentity, probe: LivenessProbe = realProbe): Liveness {
  const h = probe.here();
  if (id.host !== h.host || id.boot !== h.boot || id.ns !== h.ns) return "elsewhere";
  if (!probe.isAlive(id.pid)) return "dead";
  if (id.start && probe.startTimeOf(id.pid) !== id.start) return "dead";
  return "alive";
}

/**
 * A session id that carries its process's identity: `<uuid>@<host>/<boot>/<ns>/<pid>/<start>`. Ledger
 * rows that hold a lock or a running tick keep it, so another process can tell whether the holder is
 * really gone. Slashes and `@` in the parts are escaped.
 */
export function newSession(pid: number, id: ProcessIdentity = identityOf(pid)): string {
  const parts = [id.host, id.boot, id.ns, String(id.pid), id.start].map(encodeURIComponent);
  return `${crypto.randomUUID()}@${parts.join("/")}`;
}

/** The identity inside a session id; null for a bare id (written by an older afk). */
export function sessionIdentity(session: string): ProcessIdentity | null {
  const at = session.indexOf("@");
  if (at < 0) return null;
  const parts = session
    .slice(at + 1)
    .split("/")
    .map(decodeURIComponent);
  if (parts.length !== 5) return null;
  const [host = "", boot = "", ns = "", pid = "", start = ""] = parts;
  const n = Number(pid);
  return Number.isInteger(n) && n > 0 ? { host, boot, ns, pid: n, start } : null;
}

/**
 * Whether a holder recorded as (`pid`, `session`) is gone. With an identity in the session, only a
 * holder on this host, boot and namespace can be; a bare session (older afk) falls back to the pid.
 */
export function holderGone(pid: number, session: string, probe: LivenessProbe = realProbe): boolean {
  const id = sessionIdentity(session);
  if (id) return liveness(id, probe) === "dead";
  return !probe.isAlive(pid);
}
