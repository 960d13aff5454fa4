import { AfkError } from "./errors.ts";
import { join, resolve } from "./path-light.ts";

/** Loop mode's bounds: at most one tick a second (a source is not hammered), at least one a day. */
export const TICK_SECONDS_MIN = 1;
export const TICK_SECONDS_MAX = 86_400;

export interface HostConfig {
  /** Overrides the spec's daily cap when set. */
  capUsd: number | undefined;
  killFlag: string;
  tickSeconds: number | undefined;
  home: string;
  ollamaHost: string;
  statusAddr: string;
  statusToken: string | undefined;
  /** A token that may read the page (not kill) when bound beyond loopback; AFK_STATUS_TOKEN reads too. */
  statusReadToken: string | undefined;
  alertUrl: string | undefined;
  pingUrl: string | undefined;
}

/**
 * A number variable, trimmed; unset or blank is undefined. `what` says, in words, what it must be
 * ("a positive amount in US dollars"). Checked by hand, not by a schema: every command reads the
 * host first, and a cold `afk status` should not pay for building a validator to read two numbers.
 */
function optionalNumber(
  name: string,
  raw: string | undefined,
  what: string,
  ok: (n: number) => boolean,
  problems: string[],
): number | undefined {
  const s = raw?.trim();
  if (s === undefined || s === "") return undefined;
  const n = Number(s);
  if (Number.isFinite(n) && ok(n)) return n;
  problems.push(`${name}: '${s}' is not ${what}`);
  return undefined;
}

/** The user's home when HOME is unset: `node:os` loads only then (it costs a cold start up to 0.5 ms). */
function homeDir(): string {
  return (require("node:os") as typeof import("node:os")).homedir();
}

/** Host configuration (twelve-factor): where and how much, never what. Read once in main. */
export function readHostConfig(env: Readonly<Record<string, string | undefined>>, cwd: string): HostConfig {
  const problems: string[] = [];
  const capUsd = optionalNumber(
    "SPEND_CAP_USD",
    env.SPEND_CAP_USD,
    "a positive amount in US dollars (e.g. 5 or 0.50)",
    (n) => n > 0,
    problems,
  );
  const tickSeconds = optionalNumber(
    "TICK_SECONDS",
    env.TICK_SECONDS,
    `a number of seconds from ${TICK_SECONDS_MIN} to ${TICK_SECONDS_MAX}`,
    (n) => n >= TICK_SECONDS_MIN && n <= TICK_SECONDS_MAX,
    problems,
  );
  if (problems.length > 0) throw new AfkError("usage", `environment: ${problems.join("; ")}`);
  const e = (name: string): string | undefined => env[name] || undefined;
  const killFlag = e("AFK_KILL_FLAG");
  return {
    capUsd,
    killFlag: killFlag ? resolve(cwd, killFlag) : join(e("HOME") ?? homeDir(), "afk.kill"),
    tickSeconds,
    home: resolve(cwd, e("AFK_HOME") ?? "."),
    ollamaHost: e("OLLAMA_HOST") ?? "http://127.0.0.1:11434",
    statusAddr: e("AFK_STATUS_ADDR") ?? "127.0.0.1:8787",
    statusToken: e("AFK_STATUS_TOKEN"),
    statusReadToken: e("AFK_STATUS_READ_TOKEN"),
    alertUrl: e("AFK_ALERT_URL"),
    pingUrl: e("AFK_PING_URL"),
  };
}
