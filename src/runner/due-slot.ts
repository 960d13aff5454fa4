import { slotHasRow } from "../ledger/ticks.ts";
import type { Schedule } from "../spec/slots.ts";
import type { AppContext } from "./app.ts";
import type { RunnerHandle } from "./handle.ts";

/** A minute's grace after a slot falls due before its missing row counts. */
const DUE_GRACE_MS = 60_000;

/**
 * Whether the latest slot due has a ledger row, for the page's "runner" line. A slot due
 * before this runner started (and outside catch-up), or due less than a minute ago, is fine.
 */
export function lastDueSlotHandled(
  app: AppContext,
  schedule: Schedule,
  startedAt: Date,
): ReturnType<RunnerHandle["lastDueSlotHandled"]> {
  const now = app.deps.clock.now();
  const due = schedule.latest(now);
  if (due.getTime() < startedAt.getTime() - app.loaded.spec.limits.catch_up_hours * 3_600_000)
    return { ok: true };
  if (now.getTime() - due.getTime() < DUE_GRACE_MS) return { ok: true };
  return slotHasRow(app.db(), due.toISOString())
    ? { ok: true }
    : { ok: false, reason: `slot ${due.toISOString()} was due and has no ledger row` };
}
