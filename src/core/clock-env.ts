import { type Clock, ScaledClock, systemClock } from "./clock.ts";
import { AfkError } from "./errors.ts";

/** The fastest a scaled clock may run: a year in about 32 s of real time. */
const MAX_SCALE = 1_000_000;

/**
 * The process clock: the system clock, unless AFK_CLOCK_START (ISO instant) and
 * AFK_CLOCK_SCALE (clock seconds per real second) ask for a compressed one — the soak and
 * the demo run real processes through days in minutes this way. A bad value is a usage error
 * (exit 2) naming the variable, never ignored.
 */
export function clockFromEnv(env: Readonly<Record<string, string | undefined>>): Clock {
  const start = env.AFK_CLOCK_START;
  const scale = env.AFK_CLOCK_SCALE;
  if (!start && !scale) return systemClock;
  const t = start ? Date.parse(start) : Date.now();
  const k = scale ? Number(scale) : 1;
  if (!Number.isFinite(t))
    throw new AfkError(
      "usage",
      `environment: AFK_CLOCK_START: '${start}' is not an ISO time (e.g. 2026-03-01T00:00:00Z)`,
    );
  if (!Number.isFinite(k) || k <= 0 || k > MAX_SCALE)
    throw new AfkError(
      "usage",
      `environment: AFK_CLOCK_SCALE: '${scale}' is not a positive number up to ${MAX_SCALE} (clock seconds per real second)`,
    );
  return new ScaledClock(new Date(t), k);
}
