import type { Database } from "bun:sqlite";
import type { TickSummary } from "../harness/tick-row.ts";
import { capResumesAt } from "../runner/hold.ts";
import type { Schedule } from "../spec/slots.ts";

export interface HoldNotice {
  title: string;
  body: string;
  tags: string;
  priority: "high";
}

/**
 * The notice for a cap halt, once per capped day: only the day's first `halted_cap` row sends it
 * (later slots of the same day are refused quietly), and it says when ticks resume by themselves.
 */
export function capHaltNotice(
  db: Database,
  summary: Pick<TickSummary, "tickId" | "status" | "reason">,
  spec: { name: string; timezone: string },
  schedule: Schedule,
  now: Date,
): HoldNotice | null {
  if (summary.status !== "halted_cap") return null;
  const row = db
    .query<{ day: string; own: number; first: number }, [string]>(
      `SELECT t.day AS day, t.rowid AS own,
              (SELECT min(rowid) FROM ticks WHERE day = t.day AND status = 'halted_cap') AS first
         FROM ticks t WHERE t.id = ?`,
    )
    .get(summary.tickId);
  if (!row || row.own !== row.first) return null;
  const resumes = capResumesAt(schedule, now, spec.timezone)?.toISOString() ?? "(no next slot)";
  return {
    title: `afk: ${spec.name} halted at the spend cap until ${resumes}`,
    body: `Spend cap reached for ${row.day} (${spec.timezone}): ${summary.reason ?? ""}\nNo tick runs until the cap's day rolls over; the first slot after it, ${resumes}, runs with no person acting (serve stays up halted; a cron line's ticks are refused until then). afk status says HALTED.\n`,
    tags: "money_with_wings",
    priority: "high",
  };
}
