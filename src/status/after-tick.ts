import type { AppContext } from "../cli/context.ts";
import type { TickSummary } from "../harness/tick.ts";

export interface AfterTickInput {
  app: AppContext;
  summary: TickSummary;
}

/**
 * Called by the runner once after every closed tick (refused, halted and skipped ones too):
 * the watchdog, the run log and the dead-man ping hang off it. Never throws: a failure here
 * must not fail a tick that already closed.
 */
export async function afterTick(_input: AfterTickInput): Promise<void> {}
