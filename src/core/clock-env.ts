import { type Clock, ScaledClock, systemClock } from "./clock.ts";

/**
 * The process clock: the system clock, unless AFK_CLOCK_START (ISO instant) and
 * AFK_CLOCK_SCALE (clock seconds per real second) ask for a compressed one — the soak and
 * the demo run real processes through days in minutes this way. Bad values are ignored
 * loudly rather than silently: they throw, and main reports them.
 */
export function clockFromEnv(env: Readonly<Record<string, string | undefined>>): Clock {
  const start = env.AFK_CLOCK_START;
  const scale = env.AFK_CLOCK_SCALE;
  if (!start && !scale) return systemClock;
  const t = start ? Date.parse(start) : Date.now();
  const k = scale ? Number(scale) : 1;
  if (!Number.isFinite(t) || !Number.isFinite(k) || k <= 0) {
    throw new Error(
      `AFK_CLOCK_START/AFK_CLOCK_SCALE: '${start ?? ""}' / '${scale ?? ""}' is not an ISO time and a positive number`,
    );
  }
  return new ScaledClock(new Date(t), k);
}
