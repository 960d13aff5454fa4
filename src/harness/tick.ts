import type { Database } from "bun:sqlite";
import { formatOffset, isRepeatedWallTime, utcOffsetMinutes, zonedParts } from "../core/clock.ts";
import type { Deps } from "../core/deps.ts";
import { describeError } from "../core/errors.ts";
import { classifyFault } from "../core/fault.ts";
import { usdToMicros } from "../core/money.ts";
import { type ClosedStatus, isDelivered, type Trigger } from "../core/status.ts";
import { enqueue } from "../deliver/outbox.ts";
import { deliveredForSlot, deliveredIdentities, getTick, spendOnDay } from "../ledger/ticks.ts";
import { overrunsOf } from "../models/calls.ts";
import { type ChainRunners, synthesize } from "../models/chain.ts";
import { describeRepairs, traceRepairs, validateDraftValue } from "../models/draft.ts";
import type { ChainResult } from "../models/types.ts";
import type { FetchContext, SourceResult } from "../sources/types.ts";
import type { LoadedSpec } from "../spec/load.ts";
import type { Span, TraceSink } from "../trace/tracer.ts";
import { stopStatus, TickStop } from "./abort.ts";
import { deliverDigest } from "./deliver.ts";
import { newTickId } from "./ids.ts";
import { jobPipeline } from "./job-pipeline.ts";
import { renderDigest } from "./render.ts";
import {
  closeTickRow,
  type Delivery,
  endBeforeStart,
  openTickOf,
  openTickRow,
  summaryOf,
  type TickSummary,
  tickRoot,
  tickSink,
} from "./tick-row.ts";
import { triage } from "./triage.ts";

/** `job` replaces fetch → validate when the spec names a `job:` (src/job/). */
export const PIPELINE_STEPS = ["fetch", "triage", "synthesize", "validate", "job", "deliver"] as const;
export type PipelineStep = (typeof PIPELINE_STEPS)[number];

export interface HarnessContext {
  loaded: LoadedSpec;
  db: Database;
  deps: Deps;
  version: string;
  capMicros: number;
  /** Aborted with a TickStop by the runner (kill, max tick time). */
  signal: AbortSignal;
  /** Called before each step; throws a TickStop to stop the tick at that boundary (kill flag). */
  checkpoint: (step: PipelineStep) => void;
  fetchSources: (ctx: FetchContext) => Promise<SourceResult[]>;
  runners: ChainRunners;
  /** Override the trace sink (bench: spans in memory); default appends to runs/<day>/trace.jsonl. */
  sink?: TraceSink;
}

export interface TickRequest {
  trigger: Trigger;
  /** The cadence slot this tick serves. */
  slot: Date;
  /** Run again for a slot already delivered. */
  force: boolean;
  /** Pre-chosen id (a runner that records the id before spawning a child). */
  tickId?: string;
}

/**
 * File name of a slot's digest: `<spec name>-<YYYY-MM-DD>-<HHMM>.md` in the spec's time zone,
 * one file per slot instant. A wall time that happens twice (the repeated hour when the zone
 * falls back) also carries its UTC offset: `…-0130-0400.md`, then `…-0130-0500.md`.
 */
export function digestFileName(
  loaded: { spec: Pick<LoadedSpec["spec"], "name" | "timezone"> },
  slot: Date,
): string {
  const tz = loaded.spec.timezone;
  const { day, hhmm } = zonedParts(slot, tz);
  // Loop mode (TICK_SECONDS < 60) has several slots a minute: seconds keep their files apart.
  const ss = slot.getUTCSeconds();
  const offset = isRepeatedWallTime(slot, tz) ? formatOffset(utcOffsetMinutes(slot, tz)) : "";
  return `${loaded.spec.name}-${day}-${hhmm}${ss ? String(ss).padStart(2, "0") : ""}${offset}.md`;
}

/** How a pipeline ended: what the tick's row is closed with. */
export interface Outcome {
  status: ClosedStatus;
  reason: string | null;
  outPath?: string;
  valueMicros?: number;
  items?: number;
  model?: string;
  fallbacks: ChainResult["fallbacks"];
  failedSources: TickSummary["failedSources"];
  delivery?: Delivery;
}

/**
 * One tick of the pipeline. Whatever happens, it leaves exactly one closed ledger row and a
 * trace: a row is opened `running` before any work and closed in `finally`.
 */
export async function runTick(req: TickRequest, ctx: HarnessContext): Promise<TickSummary> {
  const now = ctx.deps.clock.now();
  const open = openTickOf({
    id: req.tickId ?? newTickId(now),
    slot: req.slot,
    trigger: req.trigger,
    now,
    loaded: ctx.loaded,
    version: ctx.version,
    pid: ctx.deps.pid,
  });
  const sink = tickSink(ctx.deps, open, ctx.sink);

  const done = !req.force ? deliveredForSlot(ctx.db, open.slot) : null;
  if (done) {
    const reason = `slot ${open.slot} already delivered by tick ${done.id} (${done.out_path ?? "no file"}); --force runs it again`;
    return endBeforeStart(ctx.db, open, sink, ctx.deps.clock, { status: "skipped_done", reason });
  }

  const root = tickRoot(open, sink, ctx.deps.clock);
  openTickRow(ctx.db, open);
  let outcome: Outcome = {
    status: "failed",
    reason: "tick did not finish",
    fallbacks: [],
    failedSources: [],
  };
  try {
    const t = { tickId: open.id, day: open.day, root };
    const job = ctx.loaded.spec.job;
    outcome = job
      ? await jobPipeline(job, {
          req,
          ctx,
          t,
          step: stepper(ctx, root),
          writeOut: (md) => writeUnit(ctx, req, md),
        })
      : await pipeline(req, ctx, t);
    // A stop that arrived mid-step can surface as a step's own failure (every fetch aborted):
    // the row says why the tick really ended, unless value already landed.
    const stopped = stopStatus(ctx.signal);
    if (stopped && outcome.status === "failed") {
      outcome = { ...outcome, status: stopped.status, reason: stopped.message };
      root.event(`tick.${stopped.status}`, { reason: stopped.message });
    }
  } catch (err) {
    const stop = err instanceof TickStop ? err : stopStatus(ctx.signal);
    if (stop) {
      outcome = { ...outcome, status: stop.status, reason: stop.message };
      root.event(`tick.${stop.status}`, { reason: stop.message });
    } else {
      // A disk fault (out/ full, read-only) is named with its fix; anything else as it came.
      const fault = classifyFault(err);
      const reason =
        fault.code === "io" ? `${fault.what} — fix: ${fault.fix}` : `unexpected error: ${describeError(err)}`;
      outcome = { ...outcome, status: "failed", reason };
      root.event("tick.error", {}, err);
    }
  } finally {
    const ended = ctx.deps.clock.now();
    const close = () =>
      closeTickRow(ctx.db, open.id, {
        status: outcome.status,
        endedAt: ended.toISOString(),
        valueMicros: outcome.valueMicros ?? 0,
        items: outcome.items ?? 0,
        model: outcome.model ?? null,
        outPath: outcome.outPath ?? null,
        reason: outcome.reason,
        detail: { fallbacks: outcome.fallbacks, failed_sources: outcome.failedSources },
        ...(outcome.delivery ? { delivery: outcome.delivery } : {}),
      });
    const sinks = ctx.loaded.spec.deliver;
    const outPath = outcome.outPath;
    if (outPath && sinks.length > 0 && isDelivered(outcome.status)) {
      // The outbox rows commit with the row that records the value: both or neither.
      ctx.db
        .transaction(() => {
          close();
          enqueue(
            ctx.db,
            { specName: ctx.loaded.spec.name, slot: open.slot, tickId: open.id, outPath },
            sinks,
            ended,
          );
        })
        .immediate();
    } else close();
    // the row may book less than the pipeline found (a re-run of a slot already valued)
    const row = getTick(ctx.db, open.id);
    if (row) outcome = { ...outcome, valueMicros: row.value_micros, reason: row.reason };
    root.set({
      reason: outcome.reason,
      value_micros: outcome.valueMicros ?? 0,
      out: outcome.outPath ?? null,
    });
    root.end(outcome.status);
  }
  return summaryOf(open, outcome);
}

/** Runs one step as a span of the tick, after the kill flag and the stop signal are checked. */
export type Step = <T>(name: PipelineStep, fn: (span: Span) => Promise<T>) => Promise<T>;

function stepper(ctx: HarnessContext, root: Span): Step {
  return (name, fn) => {
    ctx.checkpoint(name);
    const reason = stopStatus(ctx.signal);
    if (reason) throw reason;
    return root.run(name, fn);
  };
}

/**
 * The deliver step's write, the same for the digest and a job's unit: the slot's file in out/,
 * atomically, or its next free version when a re-run finds an earlier one there (kept).
 */
function writeUnit(ctx: HarnessContext, req: TickRequest, md: string): string {
  return deliverDigest(ctx.deps.home, digestFileName(ctx.loaded, req.slot), md);
}

async function pipeline(
  req: TickRequest,
  ctx: HarnessContext,
  t: { tickId: string; day: string; root: Span },
): Promise<Outcome> {
  const { spec } = ctx.loaded;
  const step = stepper(ctx, t.root);

  const results = await step("fetch", (span) =>
    ctx.fetchSources({
      loaded: ctx.loaded,
      db: ctx.db,
      deps: ctx.deps,
      span,
      signal: ctx.signal,
      version: ctx.version,
    }),
  );
  const failedSources = results.flatMap((r) =>
    r.ok ? [] : [{ id: r.sourceId, code: r.code, error: r.error, optional: r.optional }],
  );
  const base = { fallbacks: [] as ChainResult["fallbacks"], failedSources };
  if (results.every((r) => !r.ok)) {
    return {
      ...base,
      status: "failed",
      reason: `every source failed: ${failedSources.map((f) => `${f.id} (${f.code})`).join(", ")}`,
    };
  }
  const requiredDown = failedSources.filter((f) => !f.optional);

  const triaged = await step("triage", async (span) => {
    const items = results.flatMap((r) => (r.ok ? r.items : []));
    const delivered = deliveredIdentities(
      ctx.db,
      items.map((i) => i.identity),
    );
    const out = triage(items, delivered, {
      maxItems: spec.triage.max_items,
      keywords: spec.triage.keywords,
      maxAgeHours: spec.triage.max_age_hours,
      now: ctx.deps.clock.now(),
    });
    span.set({
      items_in: items.length,
      candidates: out.candidates.length,
      already_delivered: out.alreadyDelivered,
      duplicates: out.duplicates,
      linkless: out.linkless,
    });
    return out;
  });
  if (triaged.candidates.length < spec.value.min_items) {
    const few = `only ${triaged.candidates.length} new items (min_items ${spec.value.min_items}); no digest written`;
    // Too few items from healthy sources is a quiet morning, not a failure; with a required
    // source down, the missing items may be that source's: the tick failed.
    if (requiredDown.length === 0)
      return { ...base, status: "quiet", items: triaged.candidates.length, reason: `quiet: ${few}` };
    const down = requiredDown.map((f) => `required source ${f.id} failed (${f.code}: ${f.error})`);
    return {
      ...base,
      status: "failed",
      items: triaged.candidates.length,
      reason: `${few}; ${down.join("; ")}`,
    };
  }

  const slotAt = zonedParts(req.slot, spec.timezone);
  const slotLabel = `${spec.name} · ${slotAt.day} ${slotAt.hhmm.replace(/(..)(..)/, "$1:$2")} ${spec.timezone}`;
  const chain = await step("synthesize", (span) =>
    synthesize(
      { candidates: triaged.candidates, title: `${spec.name} — ${slotAt.day}` },
      {
        loaded: ctx.loaded,
        db: ctx.db,
        deps: ctx.deps,
        span,
        signal: ctx.signal,
        tickId: t.tickId,
        day: t.day,
        capMicros: ctx.capMicros,
      },
      ctx.runners,
    ).then((r) => {
      span.set({ link: r.link.id, fallbacks: r.fallbacks.length });
      for (const o of overrunsOf(ctx.db, t.tickId))
        span.event("budget.overrun", {
          link: o.link_id,
          model: o.model ?? "",
          reserved_micros: o.reserved_micros,
          billed_micros: o.cost_micros,
          over_micros: o.cost_micros - o.reserved_micros,
          tokens_in: o.tokens_in ?? -1,
          tokens_out: o.tokens_out ?? -1,
          spent_today_micros: spendOnDay(ctx.db, t.day),
          cap_micros: ctx.capMicros,
        });
      return r;
    }),
  );
  const withChain = { ...base, fallbacks: chain.fallbacks, model: chain.link.id };

  const text = await step("validate", async (span) => {
    const verdict = validateDraftValue(chain.draft, triaged.candidates, {
      minItems: spec.value.min_items,
      summaryMaxChars: spec.digest.summary_max_chars,
      maxChars: spec.digest.max_chars,
    });
    traceRepairs(span, chain.link.id, verdict.repairs);
    if (!verdict.ok) {
      span.event("draft.rejected", { link: chain.link.id, reason: verdict.reason });
      return null;
    }
    const writtenBy =
      chain.link.kind === "extractive" ? "extractive (no model)" : `${chain.link.id} (${chain.link.model})`;
    const md = renderDigest({ draft: verdict.draft, candidates: triaged.candidates, slotLabel, writtenBy });
    span.set({ entries: verdict.draft.entries.length, chars: md.length });
    return {
      md,
      entries: verdict.draft.entries.length,
      links: verdict.draft.entries.map((e) => e.link),
      repairs: [...chain.repairs, ...verdict.repairs],
    };
  });
  if (!text)
    return { ...withChain, status: "failed", reason: "the final draft failed validation; no digest written" };

  const outPath = await step("deliver", async (span) => {
    const path = writeUnit(ctx, req, text.md);
    const name = digestFileName(ctx.loaded, req.slot);
    span.set({ path, bytes: text.md.length, ...(path.endsWith(`/${name}`) ? {} : { earlier_kept: name }) });
    return path;
  });
  // Kept with the row's close, in its transaction (tick-row.ts): the items in this digest and
  // the validators of the fetches that brought them.
  const byLink = new Map(triaged.candidates.map((c) => [c.link, c.identity]));
  const delivery: Delivery = {
    identities: text.links.flatMap((l) => byLink.get(l) ?? []),
    validators: results.flatMap((r) =>
      r.ok && r.validators ? [{ sourceId: r.sourceId, validators: r.validators }] : [],
    ),
  };

  // A digest that passed validation has at least min_items entries (validateDraftValue): one unit of value.
  const valueMicros = usdToMicros(spec.value.usd_per_unit);
  const reasons = [
    ...chain.fallbacks.map((f) => `fallback ${f.from} → ${f.to} (${f.reason})`),
    // A repaired draft is a guardrail that fired: value landed, degraded.
    ...(text.repairs.length ? [`draft of ${chain.link.id} repaired: ${describeRepairs(text.repairs)}`] : []),
    ...requiredDown.map((f) => `required source ${f.id} failed (${f.code}: ${f.error})`),
  ];
  return {
    ...withChain,
    status: reasons.length ? "degraded" : "ok",
    reason: reasons.length ? reasons.join("; ") : null,
    outPath,
    valueMicros,
    items: text.entries,
    delivery,
  };
}
