import type { ClosedStatus } from "../core/status.ts";

/** Why a tick was stopped from outside: the reason an AbortController is aborted with. */
export class TickStop extends Error {
  override name = "TickStop";
  constructor(
    readonly status: Extract<ClosedStatus, "killed" | "timeout">,
    message: string,
  ) {
    super(message);
  }
}

/** The status a stopped tick closes with, from its signal's reason. */
export function stopStatus(signal: AbortSignal): TickStop | null {
  return signal.aborted && signal.reason instanceof TickStop ? signal.reason : null;
}
