import { join, resolve } from "node:path";
import type { Deps } from "../core/deps.ts";
import { describeError, ERROR_CODES } from "../core/errors.ts";
import { classifyFault } from "../core/fault.ts";
import { makeRedactor, type Redact } from "../core/redact.ts";
import { fileSink, tracePath } from "../trace/tracer.ts";

/**
 * An error nothing expected: the stack goes to the day's trace (as an `internal_error` record), the
 * operator gets one line naming what failed, its fix when it is a known disk or ledger fault, and
 * where the stack is. Returns the exit code of its kind (5 disk/ledger, 1 internal).
 */
export function reportUnexpected(
  err: unknown,
  deps: Deps,
  command = "afk",
  redactors: readonly Redact[] = [],
): number {
  // the command's redactors (the secrets its spec names), the host's tokens even without a spec
  const all = [
    ...redactors,
    ...(deps.redact ? [deps.redact] : []),
    makeRedactor([deps.env.AFK_STATUS_TOKEN, deps.env.AFK_STATUS_READ_TOKEN]),
  ];
  const redact: Redact = (text) => all.reduce((t, r) => r(t), text);
  const fault = classifyFault(err);
  const now = deps.clock.now();
  const rel = tracePath(now.toISOString().slice(0, 10));
  const home = resolve(deps.cwd, deps.env.AFK_HOME || ".");
  const id = `error-${now.getTime().toString(36)}-${deps.pid}`;
  let where = `${join(home, rel)} (record ${id})`;
  try {
    fileSink(
      join(home, rel),
      redact,
    )({
      tick: id,
      id,
      parent: null,
      kind: "event",
      name: "internal_error",
      start: now.toISOString(),
      duration_ms: 0,
      status: "error",
      attrs: { command, stack: err instanceof Error && err.stack ? err.stack : String(err) },
      error: describeError(err),
    });
  } catch (writeErr) {
    where = `nowhere: the trace could not be written either (${describeError(writeErr)})`;
  }
  const label = fault.code === "internal" ? "internal error" : "failed";
  deps.warn(
    redact(
      `afk ${command}: ${label}: ${fault.what}${fault.fix ? ` — fix: ${fault.fix}` : ""}; stack in ${where}`,
    ),
  );
  return ERROR_CODES[fault.code];
}
