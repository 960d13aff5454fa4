import type { Database } from "bun:sqlite";

/** Records the start of an `afk serve` in `runner_sessions`. */
export function openSession(db: Database, s: { session: string; pid: number; mode: string; at: Date }): void {
  db.query("INSERT INTO runner_sessions (session, pid, mode, started_at) VALUES (?, ?, ?, ?)").run(
    s.session,
    s.pid,
    s.mode,
    s.at.toISOString(),
  );
}

/** Records how an `afk serve` ended. */
export function closeSession(
  db: Database,
  s: { session: string; at: Date; reason: string; exitCode: number },
): void {
  db.query("UPDATE runner_sessions SET ended_at = ?, stop_reason = ?, exit_code = ? WHERE session = ?").run(
    s.at.toISOString(),
    s.reason,
    s.exitCode,
    s.session,
  );
}
