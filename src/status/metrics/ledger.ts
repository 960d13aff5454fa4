import type { Database } from "bun:sqlite";
import { microsToUsd } from "../../core/money.ts";
import { type ClosedStatus, DELIVERED_STATUSES, TICK_STATUSES } from "../../core/status.ts";
import {
  callTotals,
  fallbackTotals,
  runningTicks,
  sourceFailureTotals,
  tickSecondsBuckets,
  tickTotals,
} from "../../ledger/totals.ts";
import { sourceHealth } from "../queries.ts";
import { counter, gauge, histogram, type MetricFamily } from "./expose.ts";

/** A group of families read from the ledger only; its text is cached until the ledger changes. */
export type LedgerFamilies = (db: Database) => MetricFamily[];

const CLOSED = TICK_STATUSES.filter((s): s is ClosedStatus => s !== "running");

export const tickFamilies: LedgerFamilies = (db) => {
  const totals = new Map(tickTotals(db).map((t) => [t.status, t]));
  const buckets = tickSecondsBuckets(db);
  const lastSuccess = DELIVERED_STATUSES.map((s) => totals.get(s)?.last_ended_at)
    .filter((t): t is string => !!t)
    .sort()
    .at(-1);
  return [
    counter(
      "afk_ticks_total",
      "Ticks closed, by final status.",
      CLOSED.map((status) => ({ labels: { status }, value: totals.get(status)?.ticks ?? 0 })),
    ),
    gauge("afk_ticks_running", "Ticks running right now (0 or 1: one tick at a time).", [
      { value: runningTicks(db) },
    ]),
    histogram(
      "afk_tick_duration_seconds",
      "How long closed ticks ran, start to close (crashed ticks are left out).",
      buckets.map((b) => ({ le: b.le, count: b.ticks })),
      buckets.reduce((s, b) => s + b.seconds, 0),
    ),
    counter("afk_value_usd_total", "Value delivered in dollars, all time.", [
      { value: microsToUsd([...totals.values()].reduce((s, t) => s + t.value_micros, 0)) },
    ]),
    gauge(
      "afk_last_success_timestamp_seconds",
      "Unix time the last delivering tick (ok or degraded) ended; 0 when none has.",
      [{ value: lastSuccess ? Math.floor(Date.parse(lastSuccess) / 1000) : 0 }],
    ),
  ];
};

export const spendFamilies: LedgerFamilies = (db) => {
  const calls = callTotals(db);
  const sum = (f: (c: (typeof calls)[number]) => number) => calls.reduce((s, c) => s + f(c), 0);
  return [
    counter(
      "afk_spend_usd_total",
      "Dollars spent on models, all time: calls settled at their cost or charged in full. Never decreases.",
      [{ value: microsToUsd(sum((c) => c.spent_micros)) }],
    ),
    gauge(
      "afk_spend_reserved_usd",
      "Dollars held by paid calls in flight (reserved at their worst case, not yet settled).",
      [{ value: microsToUsd(sum((c) => c.reserved_micros)) }],
    ),
    counter("afk_shadow_usd_total", "What the same model work would have cost on the paid model, all time.", [
      { value: microsToUsd(sum((c) => c.shadow_micros)) },
    ]),
  ];
};

export const modelFamilies: LedgerFamilies = (db) => {
  const calls = callTotals(db);
  return [
    counter(
      "afk_model_calls_total",
      "Model calls made, by chain link and kind.",
      calls.map((c) => ({ labels: { link: c.link_id, kind: c.kind }, value: c.calls })),
    ),
    counter(
      "afk_model_tokens_total",
      "Tokens the providers reported, by chain link and direction.",
      calls.flatMap((c) => [
        { labels: { link: c.link_id, direction: "input" }, value: c.tokens_in },
        { labels: { link: c.link_id, direction: "output" }, value: c.tokens_out },
      ]),
    ),
    counter(
      "afk_model_fallbacks_total",
      "Chain hand-overs from one link to the next, by link.",
      fallbackTotals(db).map((f) => ({ labels: { from: f.from_link, to: f.to_link }, value: f.n })),
    ),
  ];
};

export const sourceFamilies: LedgerFamilies = (db) => {
  const health = sourceHealth(db) ?? [];
  const failures = sourceFailureTotals(db);
  const sources = [...new Set([...health.map((h) => h.source_id), ...Object.keys(failures)])].sort();
  return [
    counter(
      "afk_source_failures_total",
      "Ticks in which a source failed to fetch, by source.",
      sources.map((source) => ({ labels: { source }, value: failures[source] ?? 0 })),
    ),
    gauge(
      "afk_source_consecutive_failures",
      "Fetches in a row that failed, by source (0 after a success).",
      health.map((h) => ({ labels: { source: h.source_id }, value: h.consecutive_failures })),
    ),
  ];
};
