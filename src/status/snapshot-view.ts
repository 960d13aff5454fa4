import type { TickStatus, Trigger } from "../core/status.ts";
import type { SinkView } from "../deliver/views.ts";
import type { Hold } from "../runner/hold.ts";
import type { ModelView, SourceView } from "./explain.ts";
import type { TickDetail } from "./queries.ts";

/**
 * The shape of the status snapshot — what `afk status --json` and `GET /status.json` carry —
 * and the verdict's closed sets. Types only: the snapshot (snapshot.ts) and the verdict
 * (verdict.ts) both read them, neither reads the other's.
 */

/** The one answer to "is afk healthy?": `afk status`, /status.json, the page and /metrics render it. */
export const VERDICTS = [
  "delivering",
  "degraded",
  "quiet",
  "failing",
  "halted",
  "stopped",
  "not running",
] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Why the verdict is what it is; one closed set, so the page and alerts can key on it. */
export const VERDICT_REASONS = [
  "kill_flag",
  "cap_reached",
  "runner_stopped",
  "slot_missed",
  "no_tick_yet",
  "tick_failed",
  "alert_raised",
  "required_source_failing",
  "primary_model_unreachable",
  "model_fallback",
  "delivery_failing",
  "too_few_items",
] as const;
export type VerdictReasonCode = (typeof VERDICT_REASONS)[number];

export interface VerdictReason {
  code: VerdictReasonCode;
  /** Operator words: what happened and what to do. The raw runtime text stays in the trace. */
  text: string;
}

export interface VerdictView {
  verdict: Verdict;
  reasons: VerdictReason[];
  /** While stopped, halted or not running: when and how ticks resume (`at` null = only by an action). */
  resumes: { at: string | null; how: string } | null;
}

/** The one-glance state of afk: `afk status --json` and `GET /status.json` print exactly this. */
export interface StatusSnapshot {
  generated_at: string;
  version: string;
  spec: {
    name: string;
    hash: string;
    origin: string;
    timezone: string;
    cadence: string;
    /** The chain in order (the first is the primary) and where each link is reached. */
    models: ModelView[];
    sources: SourceView[];
  };
  /** The one answer to "is it healthy?" with its reasons (src/status/verdict.ts decides it). */
  verdict: VerdictView;
  today: {
    day: string;
    ticks: number;
    by_status: Record<string, number>;
    spend_micros: number;
    spend_usd: number;
    value_micros: number;
    value_usd: number;
  };
  /** The newest ledger row, whatever it was (a refusal, a skip, a tick still running). */
  last_tick: TickView | null;
  /** The newest tick that ran the job (ok, degraded, failed, timeout, crashed): what health is judged on. */
  last_work: TickView | null;
  kill: { flag: string; present: boolean };
  cap: {
    cap_micros: number;
    cap_usd: number;
    source: "SPEND_CAP_USD" | "spec";
    spent_micros: number;
    remaining_micros: number;
    reached: boolean;
    /**
     * Today's paid calls a provider billed beyond the request's maximum (their reservation), or
     * null. The reservation bounds what afk decides to pay; `crossed_by_provider` says today's
     * spend went past the cap that way, not by a call afk chose to make. Each such link is off
     * for the rest of the day.
     */
    overrun: {
      calls: number;
      over_micros: number;
      links: string[];
      crossed_by_provider: boolean;
    } | null;
  };
  next_run: { at: string | null; from: "runner" | "cadence" | "tick_seconds" };
  /**
   * Whether ticks are held while the process stays up: `halted` (cap; `resumes_at` is the first
   * slot of the next day, reached with no person acting) or `stopped` (kill flag; `afk arm`).
   */
  hold: Hold & { halted: boolean; stopped: boolean };
  /** The latest slot at or before now, and whether the ledger has a tick for it (a minute's grace). */
  due: { slot: string | null; handled: boolean };
  /** A serve for this AFK_HOME: this process's runner, or the one its pidfile proves alive; how the last one stopped. */
  serve: {
    running: boolean;
    pid: number | null;
    last_stop: { at: string; reason: string | null; exit_code: number | null } | null;
  };
  /**
   * The home's cron line (`afk tick --cron`, afk.cron.json), when it has one and the page is not
   * asked from inside serve: when it last ticked, the slot it should have ticked for by now, and
   * whether it did — a cron home needs no serve (status/cron-line.ts).
   */
  cron: CronLineView | null;
  alert: {
    active: boolean;
    file: string | null;
    raised_at: string | null;
    since: string | null;
    empty_ticks: number;
    threshold: number;
  };
  clock: { started_at: string; start_day: string; unattended_days: number } | null;
  runner: { alive: boolean; last_due_slot: { ok: boolean; reason: string | null } } | null;
  /** Each sink of the spec's `deliver:` list: last delivery, pending and failed rows. */
  deliver: { sinks: SinkView[] };
}

export interface CronLineView {
  /** When the last `afk tick --cron` ran (null: recorded by an older afk, time unknown). */
  recorded_at: string | null;
  /** The latest slot due at least the cron line's lag ago: a live cron line has ticked since. */
  expected_slot: string;
  /** Whether it has: the cron line is this home's runner now. */
  ticking: boolean;
}

export interface TickView {
  id: string;
  status: TickStatus;
  trigger: Trigger;
  slot: string;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  model: string | null;
  items: number;
  value_usd: number;
  reason: string | null;
  failed_sources: TickDetail["failed_sources"];
  fallbacks: TickDetail["fallbacks"];
  out_path: string | null;
  trace_path: string | null;
}
