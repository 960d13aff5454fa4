import { CRON_LATE_MS, type CronRecord } from "../runner/runner-settings.ts";
import type { Schedule } from "../spec/slots.ts";
import type { CronLineView } from "./snapshot-view.ts";

/**
 * Whether the home's runner is the cron line *now*, not once. Each `afk tick --cron` records its
 * time in afk.cron.json at every wake, whatever the tick then does (refused by the kill flag,
 * halted at the cap, not due): a cron line that still runs has written it at or after the latest
 * slot that came due at least CRON_LATE_MS ago (cron's own lag). An older record is a cron line
 * that missed a slot — its crontab line removed, the host's cron down, the home moved to serve —
 * and status says nothing ticks the home rather than promise a tick that will not come. A record
 * without a time (an older afk's) proves nothing until the next cron tick rewrites it.
 */
export function cronLineView(record: CronRecord, schedule: Schedule, now: Date): CronLineView {
  const expected = schedule.latest(new Date(now.getTime() - CRON_LATE_MS));
  const at = record.recorded_at;
  return {
    recorded_at: at,
    expected_slot: expected.toISOString(),
    ticking: at !== null && new Date(at).getTime() >= expected.getTime(),
  };
}
