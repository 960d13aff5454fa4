import type { Database } from "bun:sqlite";

/** The operator's on-disk alert under AFK_HOME: present while something needs a hand (alert-file.ts writes it). */
export const ALERT_FILE = "out/ALERT.txt";

export interface OpenAlert {
  id: number;
  raised_at: string;
  since_at: string;
  empty_ticks: number;
  last_tick_id: string;
}

/** The watchdog's open alert, or null: what the status surfaces read (no file access here). */
export function openAlert(db: Database): OpenAlert | null {
  return db
    .query<OpenAlert, []>(
      "SELECT id, raised_at, since_at, empty_ticks, last_tick_id FROM status_alerts WHERE resolved_at IS NULL ORDER BY id DESC LIMIT 1",
    )
    .get();
}
