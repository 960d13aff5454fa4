import type { Database } from "bun:sqlite";
import type { Clock } from "../core/clock.ts";
import type { DeliveryStatus } from "../core/delivery.ts";
import type { Span } from "../trace/tracer.ts";
import { digestMessage } from "./digest.tsx";
import { claim, dueRows, failOrphan, type OutboxRow, recordAttempt, releaseStale } from "./outbox.ts";
import type { SendOutcome } from "./send-retry.ts";
import type { Sink } from "./sink.ts";

export interface DeliverRun {
  db: Database;
  home: string;
  specName: string;
  sinks: readonly Sink[];
  clock: Clock;
  pid: number;
  isAlive: (pid: number) => boolean;
  /** Where attempts are traced (the tick's after-tick span, serve's retry span); none for `afk deliver`. */
  span?: Span;
  /** Every pending row, not only those due (by hand: `afk deliver`). */
  all?: boolean;
}

/** One attempt as it ended, for the caller's output. */
export interface AttemptReport {
  slot: string;
  sink: string;
  status: DeliveryStatus;
  attempts: number;
  error: string | null;
}

/** Slack for a claim beyond the sink's own timeout (connect + greeting + each reply). */
const CLAIM_MARGIN_MS = 60_000;

async function attempt(run: DeliverRun, sink: Sink, row: OutboxRow): Promise<AttemptReport | null> {
  const now = run.clock.now();
  if (!claim(run.db, row, run.pid, new Date(now.getTime() + sink.timeoutMs * 3 + CLAIM_MARGIN_MS)))
    return null;
  const msg = digestMessage(run.home, row.slot, row.out_path, `${run.specName} ${row.slot.slice(0, 10)}`);
  const result: SendOutcome = msg
    ? await sink.send(msg, { deliveryId: row.delivery_id, now, specName: run.specName })
    : { outcome: "permanent", error: `the digest ${row.out_path} is no longer in out/` };
  const status = recordAttempt(run.db, row, result, run.clock.now());
  const error = result.outcome === "sent" ? null : sink.redact(result.error);
  run.span?.event(`deliver.${result.outcome}`, {
    sink: sink.id,
    kind: sink.kind,
    slot: row.slot,
    attempt: row.attempts + 1,
    status,
    ...(error ? { error } : {}),
  });
  return { slot: row.slot, sink: sink.id, status, attempts: row.attempts + 1, error };
}

/**
 * Sends what the outbox holds that is due: each sink's rows in slot order, the sinks side by side.
 * Rows another process claimed are left to it; rows a dead process claimed are taken back first.
 * A sink that is down costs nothing but a retry later: the digest stays in out/ and in the outbox.
 */
export async function deliverPending(run: DeliverRun): Promise<AttemptReport[]> {
  const now = run.clock.now();
  releaseStale(run.db, now, run.isAlive);
  const bySink = new Map<string, OutboxRow[]>();
  const known = new Map(run.sinks.map((s) => [s.id, s]));
  for (const row of dueRows(run.db, now, run.all)) {
    if (!known.has(row.sink_id)) {
      failOrphan(run.db, row, now);
      continue;
    }
    bySink.set(row.sink_id, [...(bySink.get(row.sink_id) ?? []), row]);
  }
  const perSink = await Promise.all(
    [...bySink].map(async ([id, rows]) => {
      const sink = known.get(id) as Sink;
      const out: AttemptReport[] = [];
      for (const row of rows) {
        const r = await attempt(run, sink, row);
        if (r) out.push(r);
      }
      return out;
    }),
  );
  return perSink.flat();
}
