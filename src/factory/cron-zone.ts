import { Cron } from "croner";

/** The cron line's time fields and whether afk must check the slot itself (`tick --cron --due`). */
export interface CronWake {
  pattern: string;
  /** True when the pattern wakes more often than the cadence: the tick skips a wake with no slot due. */
  due: boolean;
}

const YEAR_MS = 366 * 86_400_000;
const MAX_SLOTS = 20_000;

function list(values: Set<number>, all: number): string {
  if (values.size >= all) return "*";
  return [...values].sort((a, b) => a - b).join(",");
}

/**
 * Cron fires in the host's zone and Debian's cron (Ubuntu's too) ignores CRON_TZ, so a cadence in
 * the spec's zone becomes the host-zone minutes and hours its slots fall on over a year (both
 * sides of every DST change), any day; `afk tick --cron --due` then runs only when a slot of the
 * spec's cadence, in the spec's zone, is due. Same zone: the cadence as it is.
 */
export function cronWake(cadence: string, specZone: string, hostZone: string, from: Date): CronWake {
  if (specZone === hostZone) return { pattern: cadence, due: false };
  const cron = new Cron(cadence, { timezone: specZone, paused: true });
  const host = new Intl.DateTimeFormat("en-US", {
    timeZone: hostZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const minutes = new Set<number>();
  const hours = new Set<number>();
  const end = from.getTime() + YEAR_MS;
  let t: Date | null = from;
  for (let n = 0; n < MAX_SLOTS; n++) {
    t = cron.nextRun(t);
    if (!t || t.getTime() > end) break;
    const parts = Object.fromEntries(host.formatToParts(t).map((p) => [p.type, p.value]));
    minutes.add(Number(parts.minute));
    hours.add(Number(parts.hour));
    // Every hour seen and a few days covered: the hour field is `*`, the minutes are all found.
    if (hours.size === 24 && t.getTime() - from.getTime() > 3 * 86_400_000) break;
  }
  if (minutes.size === 0) return { pattern: cadence, due: false };
  return { pattern: `${list(minutes, 60)} ${list(hours, 24)} * * *`, due: true };
}

/** The zone cron runs jobs in here: the system's, as this process sees it. */
export function hostTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}
