/**
 * What a running `afk serve` exposes to the status page (and to tests). Implemented by the
 * runner; consumed by src/status. Pure reads except `requestStop`.
 */
export interface RunnerHandle {
  /** True while the scheduler loop is running. */
  alive(): boolean;
  /** The next scheduled tick, or null when nothing is scheduled. */
  nextRun(): Date | null;
  /** Whether the last slot that was due has a closed ledger row; reason when not. */
  lastDueSlotHandled(): { ok: true } | { ok: false; reason: string };
  /** Stops the runner as a kill would: abort the tick in flight, close its row `killed`, exit. */
  requestStop(reason: string): void;
}
