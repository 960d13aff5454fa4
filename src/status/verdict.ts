import { formatUsd } from "../core/money.ts";
import type { TickStatus } from "../core/status.ts";
import { explainModel, explainSource, isUnreachable, splitReason } from "./explain.ts";
import type { StatusSnapshot, VerdictReason, VerdictView } from "./snapshot-view.ts";
import { relativeTime } from "./when.ts";

/** What the verdict is decided from: the snapshot before the verdict is added to it. */
export type VerdictInput = Omit<StatusSnapshot, "verdict">;

/** A tick whose job ran and produced no value: the verdict is `failing`. */
function failedWork(status: TickStatus): boolean {
  return status === "failed" || status === "timeout" || status === "crashed";
}

/** Which runner ticks this home now: serve (or the runner in this process), its cron line, or none. */
type Ticker = "serve" | "cron" | "none";

function ticker(s: VerdictInput): Ticker {
  if (s.runner !== null) return s.runner.alive ? "serve" : "none";
  if (s.serve.running) return "serve";
  return s.cron?.ticking ? "cron" : "none";
}

/**
 * A cron line that recorded a tick once and missed a slot since (status/cron-line.ts): its
 * crontab line removed, cron down, or the home moved to a serve that is not running.
 */
function staleCron(s: VerdictInput, now: Date): string | null {
  const c = s.cron;
  if (!c || c.ticking) return null;
  const when = (iso: string) => relativeTime(new Date(iso), now, s.spec.timezone);
  const last = c.recorded_at ? `last ticked ${when(c.recorded_at)}` : "recorded no time (an older afk)";
  return `the cron line (afk tick --cron) ${last} and has no tick since the slot due ${when(c.expected_slot)}`;
}

/** Problems the last working tick recorded, each once, translated (sources, then models). */
function tickProblems(s: VerdictInput, now: Date): VerdictReason[] {
  const t = s.last_work;
  if (!t) return [];
  const when = (iso: string) => relativeTime(new Date(iso), now, s.spec.timezone);
  const primary = s.spec.models[0]?.id;
  const out: VerdictReason[] = [];
  for (const f of t.failed_sources)
    if (!f.optional)
      out.push({
        code: "required_source_failing",
        text: `required ${explainSource(
          f,
          s.spec.sources.find((x) => x.id === f.id),
        )}`,
      });
  for (const f of t.fallbacks) {
    const link = s.spec.models.find((m) => m.id === f.from);
    const unreachable = f.from === primary && isUnreachable(splitReason(f.reason).code);
    out.push({
      code: unreachable ? "primary_model_unreachable" : "model_fallback",
      text: `${explainModel(f.from, f.reason, link, when)}; ${f.to} took over`,
    });
  }
  return out;
}

/**
 * Sinks the newest digest has not reached and that report an error: the value is in out/, but
 * not with the person it is for. A sink that failed long ago and has delivered since is not one.
 */
function deliveryReasons(s: VerdictInput): VerdictReason[] {
  const slot = s.last_work?.out_path ? s.last_work.slot : null;
  return s.deliver.sinks
    .filter((k) => k.last_error !== null && (k.pending > 0 || (slot !== null && k.last_sent_slot !== slot)))
    .map((k) => ({
      code: "delivery_failing" as const,
      text: `delivery to ${k.id} (${k.kind}) is failing${k.pending > 0 ? ` — ${k.pending} waiting, retried with backoff` : ""}: ${k.last_error}`,
    }));
}

function alertReason(s: VerdictInput, now: Date): VerdictReason[] {
  if (!s.alert.active) return [];
  const since = s.alert.since ? ` since ${relativeTime(new Date(s.alert.since), now, s.spec.timezone)}` : "";
  return [
    {
      code: "alert_raised",
      text: `watchdog alert: ${s.alert.empty_ticks} ticks in a row without value${since} (threshold ${s.alert.threshold})`,
    },
  ];
}

/**
 * The verdict, decided once from the snapshot (time is an argument). Order matters: an operator's
 * stop beats the cap, which beats a dead runner, which beats the health of the last working tick.
 */
export function decideVerdict(s: VerdictInput, now: Date): VerdictView {
  // a live runner knows which slots it owes (it excuses those before its start); otherwise the ledger says
  const missed = s.runner?.alive ? !s.runner.last_due_slot.ok : !s.due.handled;
  return (
    stoppedVerdict(s, now) ??
    haltedVerdict(s, now) ??
    notRunningVerdict(s, now, missed) ??
    missedSlotVerdict(s, now, missed) ??
    workVerdict(s, now)
  );
}

/**
 * How a hold ends, and what else must happen for ticks to run again: nothing under a live serve;
 * under a cron line that still ticks, nothing either (`cron` says when it ticks); with no runner,
 * starting one — serve, or the cron line that stopped ticking.
 */
function resumeHow(s: VerdictInput, now: Date, how: string, cron: string): string {
  const t = ticker(s);
  switch (t) {
    case "serve":
      return how;
    case "cron":
      return `${how}; ${cron} (no serve needed)`;
    case "none": {
      const stale = staleCron(s, now);
      return stale
        ? `${how}; nothing ticks this home now — serve is not running and ${stale}: restore the cron line (crontab -l; afk install --cron) or start afk serve`
        : `${how}; serve is not running: start it after (afk serve, or its supervisor)`;
    }
    default: {
      const never: never = t;
      return never;
    }
  }
}

function stoppedVerdict(s: VerdictInput, now: Date): VerdictView | null {
  if (!s.hold.stopped) return null;
  return {
    verdict: "stopped",
    reasons: [{ code: "kill_flag", text: `the kill flag ${s.kill.flag} is present: every tick is refused` }],
    resumes: {
      at: null,
      how: resumeHow(
        s,
        now,
        "afk arm removes the flag",
        "the cron line ticks again by itself at the next slot",
      ),
    },
  };
}

function haltedVerdict(s: VerdictInput, now: Date): VerdictView | null {
  if (!s.hold.halted) return null;
  const since = s.hold.since
    ? ` (halted since ${relativeTime(new Date(s.hold.since), now, s.spec.timezone)})`
    : "";
  return {
    verdict: "halted",
    reasons: [{ code: "cap_reached", text: `${capText(s.cap)}; nothing more is fetched or spent${since}` }],
    resumes: {
      at: s.hold.resumes_at,
      how: resumeHow(
        s,
        now,
        `by itself at the first slot of the cap's next day (${s.spec.timezone}); a higher SPEND_CAP_USD resumes sooner`,
        "the cron line ticks that slot by itself",
      ),
    },
  };
}

/** Why the cap holds: crossed by a provider's bill, reached, or one more tick's worst case would cross it. */
function capText(cap: VerdictInput["cap"]): string {
  const spent = formatUsd(cap.spent_micros);
  const of = formatUsd(cap.cap_micros);
  if (cap.overrun?.crossed_by_provider)
    return `spend cap crossed by the provider: ${spent} of ${of} today (${cap.source}) — ${cap.overrun.links.join(", ")} billed ${formatUsd(cap.overrun.over_micros)} beyond the request's maximum, which afk had reserved; that link is off for today`;
  if (cap.reached) return `spend cap reached: ${spent} of ${of} today (${cap.source})`;
  return `spend cap: one more tick's worst-case cost would cross today's cap (${spent} spent of ${of}, ${cap.source})`;
}

/** No runner ticks the home and a slot went by (or nothing ever ran): how it stopped and what is owed. */
function notRunningVerdict(s: VerdictInput, now: Date, missed: boolean): VerdictView | null {
  if (ticker(s) !== "none" || !(missed || s.last_tick === null)) return null;
  const stop = s.serve.last_stop;
  const stale = staleCron(s, now);
  const reasons: VerdictReason[] = [];
  if (stale) reasons.push({ code: "runner_stopped", text: `${stale}: is its crontab line still there?` });
  if (stop)
    reasons.push({
      code: "runner_stopped",
      text: `serve stopped ${relativeTime(new Date(stop.at), now, s.spec.timezone)}: ${stop.reason ?? "no reason recorded"}${stop.exit_code !== null ? ` (exit ${stop.exit_code})` : ""}`,
    });
  if (s.last_tick === null)
    reasons.push({ code: "no_tick_yet", text: "no tick has run in this AFK_HOME yet" });
  else if (s.due.slot)
    reasons.push({
      code: "slot_missed",
      text: `the slot due ${relativeTime(new Date(s.due.slot), now, s.spec.timezone)} has no tick`,
    });
  if (reasons.length === 0)
    reasons.push({ code: "runner_stopped", text: "the runner in this process has stopped" });
  const how = stale
    ? "restore the cron line (crontab -l; afk install --cron) or start afk serve (or its systemd unit)"
    : "start afk serve (or its systemd unit / cron line: afk install)";
  return { verdict: "not running", reasons, resumes: { at: null, how } };
}

/** The runner ticks (serve, or a cron line that recorded a tick since the last slot), but the slot due has no tick. */
function missedSlotVerdict(s: VerdictInput, now: Date, missed: boolean): VerdictView | null {
  if (!missed || !s.due.slot) return null;
  const due = relativeTime(new Date(s.due.slot), now, s.spec.timezone);
  const text =
    ticker(s) === "cron"
      ? `the cron line ticks, but the slot due ${due} has no tick — see its log ($AFK_HOME/afk-cron.log)`
      : `serve runs, but the slot due ${due} has no tick — see the serve log`;
  return {
    verdict: "failing",
    reasons: [{ code: "slot_missed", text }, ...alertReason(s, now)],
    resumes: null,
  };
}

/** Nothing holds the ticks and they run: the verdict is the last working tick's health. */
function workVerdict(s: VerdictInput, now: Date): VerdictView {
  const work = s.last_work;
  const fromTick = tickProblems(s, now);
  const problems = [...fromTick, ...deliveryReasons(s), ...alertReason(s, now)];
  if (!work) {
    const first: VerdictReason = {
      code: "no_tick_yet",
      text: "no tick has run yet; the first one is at the next run",
    };
    return { verdict: "quiet", reasons: [first, ...problems], resumes: null };
  }
  if (failedWork(work.status) || s.alert.active) {
    // the tick's reason lists the same sources and fallbacks as `problems`: say each fact once
    const why = fromTick.length > 0 ? "no digest (why below)" : (work.reason ?? "no reason recorded");
    const failed: VerdictReason[] = failedWork(work.status)
      ? [
          {
            code: "tick_failed",
            text: `the last tick ${work.status === "failed" ? "failed" : `ended ${work.status}`}: ${why}`,
          },
        ]
      : [];
    return { verdict: "failing", reasons: [...failed, ...problems], resumes: null };
  }
  if (work.status === "quiet" && problems.length === 0)
    return {
      verdict: "quiet",
      reasons: [
        {
          code: "too_few_items",
          text: `the last tick found ${work.items} new item${work.items === 1 ? "" : "s"}, fewer than min_items: every required source answered, there was just nothing new worth a digest (not a failure)`,
        },
      ],
      resumes: null,
    };
  if (work.status === "degraded" || problems.length > 0)
    return { verdict: "degraded", reasons: problems, resumes: null };
  return { verdict: "delivering", reasons: [], resumes: null };
}
