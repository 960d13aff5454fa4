import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";
import { AfkError } from "./errors.ts";

/** A number variable: `what` says, in words, what it must be ("a positive amount in US dollars"). */
const optionalNumber = (what: string, ok: (n: number) => boolean) =>
  z
    .string()
    .trim()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s === "") return undefined;
      const n = Number(s);
      if (!Number.isFinite(n) || !ok(n)) {
        ctx.addIssue({ code: "custom", message: `'${s}' is not ${what}` });
        return z.NEVER;
      }
      return n;
    });

/** Loop mode's bounds: at most one tick a second (a source is not hammered), at least one a day. */
export const TICK_SECONDS_MIN = 1;
export const TICK_SECONDS_MAX = 86_400;

/** Host configuration (twelve-factor): where and how much, never what. Read once in main. */
const HostSchema = z.object({
  SPEND_CAP_USD: optionalNumber("a positive amount in US dollars (e.g. 5 or 0.50)", (n) => n > 0),
  AFK_KILL_FLAG: z.string().optional(),
  TICK_SECONDS: optionalNumber(
    `a number of seconds from ${TICK_SECONDS_MIN} to ${TICK_SECONDS_MAX}`,
    (n) => n >= TICK_SECONDS_MIN && n <= TICK_SECONDS_MAX,
  ),
  AFK_HOME: z.string().optional(),
  OLLAMA_HOST: z.string().optional(),
  AFK_STATUS_ADDR: z.string().optional(),
  AFK_STATUS_TOKEN: z.string().optional(),
  AFK_STATUS_READ_TOKEN: z.string().optional(),
  AFK_ALERT_URL: z.string().optional(),
  AFK_PING_URL: z.string().optional(),
  HOME: z.string().optional(),
});

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

export function readHostConfig(env: Readonly<Record<string, string | undefined>>, cwd: string): HostConfig {
  const r = HostSchema.safeParse(env, { jitless: true }); // once per process, as SpecSchema
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new AfkError("usage", `environment: ${lines.join("; ")}`);
  }
  const e = r.data;
  const userHome = e.HOME || homedir();
  return {
    capUsd: e.SPEND_CAP_USD,
    killFlag: e.AFK_KILL_FLAG ? resolve(cwd, e.AFK_KILL_FLAG) : join(userHome, "afk.kill"),
    tickSeconds: e.TICK_SECONDS,
    home: resolve(cwd, e.AFK_HOME || "."),
    ollamaHost: e.OLLAMA_HOST || "http://127.0.0.1:11434",
    statusAddr: e.AFK_STATUS_ADDR || "127.0.0.1:8787",
    statusToken: e.AFK_STATUS_TOKEN || undefined,
    statusReadToken: e.AFK_STATUS_READ_TOKEN || undefined,
    alertUrl: e.AFK_ALERT_URL || undefined,
    pingUrl: e.AFK_PING_URL || undefined,
  };
}
