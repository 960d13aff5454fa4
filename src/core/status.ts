/** The one closed set of ways a tick can end; ledger CHECK, traces, status and metrics all use it. */
export const TICK_STATUSES = [
  "running",
  "ok",
  "degraded",
  "failed",
  /** Too few new items while the required sources are healthy: no value, and no failure. */
  "quiet",
  "halted_cap",
  "refused_kill",
  "killed",
  "timeout",
  "crashed",
  "skipped_overlap",
  "skipped_done",
] as const;
export type TickStatus = (typeof TICK_STATUSES)[number];
export type ClosedStatus = Exclude<TickStatus, "running">;

/** Statuses that delivered a unit of value into out/. */
export const DELIVERED_STATUSES = ["ok", "degraded"] as const satisfies readonly ClosedStatus[];

export function isDelivered(status: TickStatus): boolean {
  return (DELIVERED_STATUSES as readonly TickStatus[]).includes(status);
}

/** The same list for SQL: `status IN ${DELIVERED_SQL}`. */
export const DELIVERED_SQL = `(${sqlIn(DELIVERED_STATUSES)})`;

/**
 * Statuses of ticks that ran the job, delivered or not. The others (refused, halted, skipped,
 * stopped by the operator, still running) say nothing about its health.
 */
export const WORK_STATUSES = [
  "ok",
  "degraded",
  "failed",
  "quiet",
  "timeout",
  "crashed",
] as const satisfies readonly ClosedStatus[];

export function didWork(status: TickStatus): boolean {
  return (WORK_STATUSES as readonly TickStatus[]).includes(status);
}

/** Why a tick ran. */
export const TRIGGERS = ["schedule", "catchup", "manual"] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** SQL fragment `'a','b',…` for a CHECK constraint over a closed set. */
export function sqlIn(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(",");
}
