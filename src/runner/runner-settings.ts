import { readTextLight } from "../core/fs-light.ts";
import type { HostConfig } from "../core/host.ts";
import { join, normalize } from "../core/path-light.ts";

/**
 * The host settings a runner ticks by. A command typed without the service's environment (its env
 * file sets AFK_KILL_FLAG, SPEND_CAP_USD, TICK_SECONDS) reads them from the home, so `afk kill`
 * raises the flag the runner watches and `afk status` answers with its cap and rhythm: a live
 * serve records them in afk.pid, the last `afk tick --cron` in afk.cron.json.
 */
export interface RunnerSettings {
  kill_flag: string;
  cap_micros: number;
  /** Where the cap came from in the runner's environment. */
  cap_source: "SPEND_CAP_USD" | "spec";
  tick_seconds: number | null;
}

/** What this process's host and cap make of them. */
export function hostSettings(host: HostConfig, capMicros: number): RunnerSettings {
  return {
    kill_flag: host.killFlag,
    cap_micros: capMicros,
    cap_source: host.capUsd !== undefined ? "SPEND_CAP_USD" : "spec",
    tick_seconds: host.tickSeconds ?? null,
  };
}

/** Settings read back, when whole (an older or hand-edited file may hold less, or anything). */
export function validSettings(s: unknown): RunnerSettings | null {
  if (typeof s !== "object" || s === null) return null;
  const r = s as Partial<RunnerSettings>;
  const flagOk = typeof r.kill_flag === "string" && r.kill_flag.startsWith("/");
  const capOk = Number.isSafeInteger(r.cap_micros) && (r.cap_micros ?? 0) > 0;
  const sourceOk = r.cap_source === "SPEND_CAP_USD" || r.cap_source === "spec";
  const tickOk = r.tick_seconds === null || (typeof r.tick_seconds === "number" && r.tick_seconds > 0);
  return flagOk && capOk && sourceOk && tickOk ? (r as RunnerSettings) : null;
}

/** Written (atomically) by each `afk tick --cron`: what the cron line's environment ticks by. */
export function cronSettingsPath(home: string): string {
  return join(home, "afk.cron.json");
}

/**
 * How late a cron wake may start and still serve its slot (cron can lag under load): `afk tick
 * --due` ticks within it, and status gives the cron line that long to record a slot's tick.
 */
export const CRON_LATE_MS = 10 * 60_000;

/** What afk.cron.json holds: the settings, and when (the injected clock) the cron tick wrote them. */
export interface CronRecord {
  settings: RunnerSettings;
  /** Null in a record written before afk recorded the time. */
  recorded_at: string | null;
}

/** The record's text, as each `afk tick --cron` writes it. */
export function cronRecordText(settings: RunnerSettings, at: Date): string {
  return `${JSON.stringify({ ...settings, recorded_at: at.toISOString() })}\n`;
}

export function readCronRecord(home: string): CronRecord | null {
  const text = readTextLight(cronSettingsPath(home));
  if (text === null) return null;
  try {
    const r = JSON.parse(text) as { recorded_at?: unknown };
    const settings = validSettings(r);
    if (!settings) return null;
    const at = typeof r.recorded_at === "string" ? new Date(r.recorded_at) : null;
    return { settings, recorded_at: at && !Number.isNaN(at.getTime()) ? at.toISOString() : null };
  } catch {
    return null;
  }
}

export function readCronSettings(home: string): RunnerSettings | null {
  return readCronRecord(home)?.settings ?? null;
}

/**
 * The kill flags `afk kill` and `afk arm` act on: this environment's, then each other one a runner
 * of the home recorded. Typed without the service's env file, kill would raise a flag the runner
 * never reads — a serve its supervisor restarts after the SIGTERM, or the next cron tick, would
 * tick again — while status said "stopped". A recorded path is a file in AFK_HOME, which whoever
 * writes there could point anywhere: one is acted on only inside AFK_HOME or named `afk.kill`
 * (every documented layout), never, say, `/etc/nologin` for a root shell to create; the rest are
 * `ignored`, for the command to name.
 */
export function homeFlags(
  own: string,
  home: string,
  recorded: readonly (RunnerSettings | null)[],
): { own: string; others: string[]; ignored: string[] } {
  const others = new Set<string>();
  const ignored = new Set<string>();
  const inHome = (p: string) => normalize(p).startsWith(`${normalize(home).replace(/\/$/, "")}/`);
  for (const s of recorded) {
    if (!s || s.kill_flag === own) continue;
    if (inHome(s.kill_flag) || basename(s.kill_flag) === "afk.kill") others.add(s.kill_flag);
    else ignored.add(s.kill_flag);
  }
  return { own, others: [...others], ignored: [...ignored] };
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}
