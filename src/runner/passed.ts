import { slotHasRow } from "../ledger/ticks.ts";
import type { Schedule } from "../spec/slots.ts";
import { recordPassedSlot, type TickEnv } from "./guarded.ts";

/** More than this many passed slots in one go (a host asleep for weeks) are left to the catch-up's record. */
const PASSED_SCAN = 10_000;

/**
 * The slots strictly between `last` (the last one the loop handled) and `due` (the one it runs
 * now): the runner runs only the latest due slot, so each one passed gets its own row saying
 * so — never none. A slot that already has a row (an earlier serve's) is left alone. `busy`
 * names what kept the loop from them (the catch-up tick, a late wake-up).
 */
export function recordPassedSlots(
  env: TickEnv,
  schedule: Schedule,
  last: Date,
  due: Date,
  busy: string,
): number {
  const db = env.app.db();
  const passed = schedule.between(last, due, PASSED_SCAN).filter((d) => d.getTime() < due.getTime());
  let n = 0;
  for (const slot of passed) {
    if (slotHasRow(db, slot.toISOString())) continue;
    const reason = `came due while ${busy}; superseded by the slot ${due.toISOString()}, the latest due (only it runs)`;
    const s = recordPassedSlot(env, slot, reason, due);
    env.app.deps.print(`slot ${slot.toISOString()}: ${s.status} — ${s.reason ?? reason}`);
    n++;
  }
  return n;
}
