import type { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ledgerStamp } from "../ledger/stamp.ts";
import type { AppContext } from "../runner/app.ts";
import { type SnapshotInput, statusSnapshot } from "./snapshot.ts";
import type { StatusSnapshot } from "./snapshot-view.ts";
import { ALERT_FILE } from "./watchdog.ts";

/**
 * Everything a snapshot is built from, each read for a few microseconds. Two reads that compare
 * equal mean the same snapshot, except for `generated_at`. The runner's `lastDueSlotHandled`
 * (a croner walk and a query, the dearest read) is not asked: it answers from the ledger and the
 * clock, both here.
 */
interface Inputs {
  db: Database;
  /** Bumped by a commit from any other connection (another process, `afk status`). */
  dataVersion: number;
  /** Rows written by this connection (the runner shares it), triggers included. */
  changes: number;
  /** The clock floored to its step (see clockStepMs); the day turns on a step too. */
  step: number;
  kill: boolean;
  alertFile: boolean;
  alive: boolean | null;
  nextRun: number | null;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * The longest step of the clock inside which no field can change by time alone. Cron slots fall
 * on whole seconds (croner's resolution), and so does midnight in every zone (tz offsets are whole
 * seconds); loop slots (TICK_SECONDS) on multiples of the interval, and the runner's grace after
 * a due slot is one minute: every such instant is a multiple of the step.
 */
export function clockStepMs(tickSeconds: number | undefined): number {
  if (tickSeconds === undefined) return 1000;
  return gcd(Math.max(1, Math.round(tickSeconds * 1000)), 1000);
}

function readInputs(input: SnapshotInput, now: Date, stepMs: number): Inputs {
  const { app, db, handle } = input;
  const ledger = ledgerStamp(db);
  const nextRun = handle?.nextRun() ?? null;
  return {
    db,
    dataVersion: ledger.dataVersion,
    changes: ledger.changes,
    step: Math.floor(now.getTime() / stepMs),
    kill: existsSync(app.host.killFlag),
    alertFile: existsSync(join(app.host.home, ALERT_FILE)),
    alive: handle ? handle.alive() : null,
    nextRun: nextRun ? nextRun.getTime() : null,
  };
}

function sameInputs(a: Inputs, b: Inputs): boolean {
  return (Object.keys(a) as (keyof Inputs)[]).every((k) => a[k] === b[k]);
}

/**
 * `statusSnapshot` for a page asked many times a second: the last snapshot is served again,
 * stamped with the current time, until one of its inputs changes. Inputs are read before the
 * build, so a change racing a build only causes one more build, never a stale answer.
 */
export function snapshotSource(
  input: Omit<SnapshotInput, "db" | "app"> & { app: AppContext },
): () => StatusSnapshot {
  const stepMs = clockStepMs(input.app.host.tickSeconds);
  let last: { inputs: Inputs; snapshot: StatusSnapshot } | null = null;
  return () => {
    const full = { ...input, db: input.app.db() };
    const now = input.app.deps.clock.now();
    const inputs = readInputs(full, now, stepMs);
    if (last && sameInputs(last.inputs, inputs)) return { ...last.snapshot, generated_at: now.toISOString() };
    const snapshot = statusSnapshot(full);
    last = { inputs, snapshot };
    return snapshot;
  };
}
