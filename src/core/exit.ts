import type { ClosedStatus } from "./status.ts";

/**
 * Every exit code afk returns, defined once (README "Exit codes"); `AfkError` codes, the
 * runner's outcome and each command map onto these names.
 */
export const EXIT = {
  /** Done: delivered, skipped, refused by the kill flag, or serve stopped on request. */
  ok: 0,
  /** A tick failed (no value), a check was red, or an internal error. */
  failed: 1,
  /** Bad spec, environment variable or usage: nothing started, nothing written. */
  usage: 2,
  /** Spend cap reached: a supervisor should keep it down (systemd RestartPreventExitStatus=3). */
  cap: 3,
  /** Another serve already runs in this AFK_HOME. */
  busy: 4,
  /** The ledger or a file could not be read or written. */
  io: 5,
  /** `afk build` refused: a seam test failed, no binary made. */
  build: 6,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Exit code of a one-shot tick: the cap keeps a supervisor from restarting; no value is a failure, a quiet tick is not. */
export function tickExitCode(status: ClosedStatus): ExitCode {
  switch (status) {
    case "halted_cap":
      return EXIT.cap;
    case "failed":
    case "timeout":
    case "crashed":
      return EXIT.failed;
    case "ok":
    case "degraded":
    case "quiet":
    case "refused_kill":
    case "killed":
    case "skipped_overlap":
    case "skipped_done":
      return EXIT.ok;
    default: {
      const never: never = status;
      return never;
    }
  }
}
