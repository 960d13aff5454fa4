import { FAILURE_CODES } from "./failure.ts";

/**
 * How one model call ended: the closed set `calls.outcome` holds (NULL while a paid call's
 * reservation is still open). The ledger refuses any other word (models-002, a CHECK kept by
 * triggers). Widening it needs a new migration that calls `checkByTrigger` with the new list:
 * a ledger keeps the list its last migration gave it.
 */
export const CALL_OUTCOMES = [
  /** A valid draft (chain), or a whole reply from a local link (job proxy). */
  "ok",
  /** A paid reply with usage, settled at its cost; the chain then judges its draft (ok, invalid_draft). */
  "replied",
  /** A paid reply without usage: charged its whole reservation. */
  "usage_missing",
  /** A paid server refused a request parameter (400): the next request steps its shape down. */
  "param_refused",
  /** The process died with the reservation open: charged in full at the next start. */
  "crashed",
  /** Spend inserted by hand through the lab's `ledger` view. */
  "manual",
  /** An older ledger held a word outside this set; models-002 mapped it here. */
  "unknown",
  /** Why the link did not deliver (models/failure.ts). */
  ...FAILURE_CODES,
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/**
 * What an outcome written by an older afk becomes in the closed set: the lab view's
 * `inserted by hand` is `manual`; any other word outside the set is `unknown`.
 */
export function knownOutcome(old: string): CallOutcome {
  if (old === "inserted by hand") return "manual";
  // By hand, not through CallOutcomeSchema: every ledger open migrates through here, and loading
  // zod costs a cold `afk status` and an idle serve (call-outcome-schema.ts holds the zod enum).
  return (CALL_OUTCOMES as readonly string[]).includes(old) ? (old as CallOutcome) : "unknown";
}
