import type { TickSummary } from "../harness/tick-row.ts";
import type { Schedule } from "../spec/slots.ts";
import type { AppContext } from "./app.ts";
import { flagPresent } from "./flag.ts";
import { capResumesAt } from "./hold.ts";

/** What holds serve's ticks while the process stays up, as its runner last saw it. */
export type Held = "halted" | "stopped" | null;

/** The hold a tick's ending puts serve in: the kill flag (refused, or killed with the flag up), the cap, or none. */
export function heldBy(s: TickSummary, killFlagPresent: () => boolean): Held {
  if (s.status === "refused_kill" || (s.status === "killed" && killFlagPresent())) return "stopped";
  return s.status === "halted_cap" ? "halted" : null;
}

export interface HoldWatch {
  /** The hold the last tick left. */
  readonly held: Held;
  /** Takes a tick's ending; prints one line when the hold changes. */
  observe(s: TickSummary): void;
  /** The kill flag seen with no slot to refuse (the slot already has its row): stopped all the same. */
  flagSeen(): void;
}

/**
 * A refused or halted tick does not end serve: it stays up (page, /healthz, POST /kill alive),
 * each slot recorded as refused, until the flag is removed (`afk arm`) or the cap's day rolls
 * over. A supervisor then never has to start a new day (ops/README.md, the supervisor contract).
 * This tells the operator once when ticks are held and once when they run again.
 */
export function watchHold(app: AppContext, schedule: Schedule): HoldWatch {
  let held: Held = null;
  const lineFor = (now: Held): string => {
    if (now === "stopped")
      return `stopped: kill flag ${app.host.killFlag} present; serve stays up, afk arm resumes`;
    if (now === "halted") {
      const at = capResumesAt(schedule, app.deps.clock.now(), app.loaded.spec.timezone);
      return `halted: spend cap reached; resumes by itself at ${at?.toISOString() ?? "(no next slot)"}`;
    }
    return "resumed: ticks run again";
  };
  const become = (now: Held) => {
    if (now === held) return;
    held = now;
    app.deps.print(lineFor(now));
  };
  return {
    get held() {
      return held;
    },
    observe(s) {
      become(heldBy(s, () => flagPresent(app.host.killFlag)));
    },
    flagSeen() {
      become("stopped");
    },
  };
}
