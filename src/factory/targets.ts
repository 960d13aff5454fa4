import { AfkError } from "../core/errors.ts";

/** Platforms `afk build` compiles for (Oracle's free VMs are Ampere, hence arm64). */
export const TARGETS = ["linux-x64", "linux-arm64", "darwin-arm64"] as const;
export type Target = (typeof TARGETS)[number];

export function isTarget(s: string): s is Target {
  return (TARGETS as readonly string[]).includes(s);
}

/** The target matching the machine that builds, from `process.platform` / `process.arch` values. */
export function hostTarget(platform: string, arch: string): Target {
  const t = `${platform}-${arch}`;
  if (isTarget(t)) return t;
  throw new AfkError("usage", `build: no default target for ${t}; pass --target ${TARGETS.join("|")}`);
}

/** `bun build --target` value for a target. */
export function bunTarget(t: Target): string {
  return `bun-${t}`;
}
