import { describe, expect, test } from "bun:test";
import type { TickView } from "../../src/status/snapshot-view.ts";
import { decideVerdict, type VerdictInput } from "../../src/status/verdict.ts";

const NOW = new Date("2026-11-24T07:03:00Z");

function tick(over: Partial<TickView> = {}): TickView {
  return {
    id: "t1",
    status: "ok",
    trigger: "schedule",
    slot: "2026-11-24T07:00:00.000Z",
    started_at: "2026-11-24T07:00:00.000Z",
    ended_at: "2026-11-24T07:00:05.000Z",
    duration_ms: 5000,
    model: "primary",
    items: 6,
    value_usd: 2.5,
    reason: null,
    failed_sources: [],
    fallbacks: [],
    out_path: "out/d.md",
    trace_path: "runs/2026-11-24/trace.jsonl",
    ...over,
  };
}

/** A healthy afk at 07:03: the 07:00 tick delivered, serve runs, nothing raised. */
function snap(over: Partial<VerdictInput> = {}): VerdictInput {
  const last = tick();
  return {
    generated_at: NOW.toISOString(),
    version: "0.1.0",
    spec: {
      name: "d",
      hash: "h",
      origin: "file:SPEC.md",
      timezone: "UTC",
      cadence: "0 7 * * *",
      models: [
        { id: "primary", kind: "ollama", model: "llama3.1:8b", endpoint: "http://127.0.0.1:11434" },
        { id: "extractive", kind: "extractive", model: null, endpoint: null },
      ],
      sources: [
        { id: "hn", where: "hnrss.org", optional: false },
        { id: "lob", where: "lobste.rs", optional: true },
      ],
    },
    today: {
      day: "2026-11-24",
      ticks: 1,
      by_status: { ok: 1 },
      spend_micros: 0,
      spend_usd: 0,
      value_micros: 2_500_000,
      value_usd: 2.5,
    },
    last_tick: last,
    last_work: last,
    kill: { flag: "/home/a/afk.kill", present: false },
    cap: {
      cap_micros: 5_000_000,
      cap_usd: 5,
      source: "spec",
      spent_micros: 0,
      remaining_micros: 5_000_000,
      reached: false,
      overrun: null,
    },
    next_run: { at: "2026-11-25T07:00:00.000Z", from: "runner" },
    due: { slot: "2026-11-24T07:00:00.000Z", handled: true },
    serve: { running: true, pid: 10, last_stop: null },
    cron: null,
    alert: { active: false, file: null, raised_at: null, since: null, empty_ticks: 0, threshold: 3 },
    clock: null,
    runner: { alive: true, last_due_slot: { ok: true, reason: null } },
    deliver: { sinks: [] },
    hold: { state: "running", reason: null, since: null, resumes_at: null, halted: false, stopped: false },
    ...over,
  };
}

const refused = tick({ id: "t2", status: "refused_kill", model: null, reason: "KILL flag present" });
const halted = tick({ id: "t2", status: "halted_cap", model: null, reason: "cap" });
const stoppedHold = {
  state: "stopped",
  reason: "kill flag",
  since: null,
  resumes_at: null,
  halted: false,
  stopped: true,
} as const;
const haltedHold = {
  state: "halted",
  reason: "spend cap reached",
  since: "2026-11-24T07:00:00.000Z",
  resumes_at: "2026-11-25T07:00:00.000Z",
  halted: true,
  stopped: false,
} as const;
const capHit = { ...snap().cap, spent_micros: 5_000_000, remaining_micros: 0, reached: true };
const refusedPrimary = tick({
  status: "degraded",
  model: "extractive",
  fallbacks: [
    {
      from: "primary",
      to: "extractive",
      reason: "network: Unable to connect. Is the computer able to access the url?",
    },
  ],
});

/** A cron line that ticked two days ago and missed this morning's slot. */
const staleCron = {
  recorded_at: "2026-11-22T07:00:02.000Z",
  expected_slot: "2026-11-23T07:00:00.000Z",
  ticking: false,
};

describe("decideVerdict: one verdict from the snapshot, with its reasons", () => {
  test.each<[string, Partial<VerdictInput>, string, string[]]>([
    ["a delivered last tick, nothing raised", {}, "delivering", []],
    [
      "the kill flag beats everything, the cap included",
      { kill: { flag: "/f", present: true }, cap: capHit, hold: stoppedHold },
      "stopped",
      ["kill_flag"],
    ],
    [
      "a cap halt (the runner's hold: spend at the cap or a pre-flight halt today)",
      { cap: capHit, hold: haltedHold },
      "halted",
      ["cap_reached"],
    ],
    [
      "yesterday's halt does not hold today: health is judged on the last working tick",
      { last_tick: halted },
      "delivering",
      [],
    ],
    [
      "a refusal by a flag since removed: health is judged on the last working tick",
      { last_tick: refused },
      "delivering",
      [],
    ],
    [
      "serve stopped and the due slot has no tick",
      {
        runner: null,
        serve: {
          running: false,
          pid: null,
          last_stop: { at: "2026-11-23T09:00:00.000Z", reason: "Spend cap reached", exit_code: 3 },
        },
        due: { slot: "2026-11-24T07:00:00.000Z", handled: false },
      },
      "not running",
      ["runner_stopped", "slot_missed"],
    ],
    [
      "no serve (cron mode) and the due slot handled: fine",
      { runner: null, serve: { running: false, pid: null, last_stop: null } },
      "delivering",
      [],
    ],
    [
      "a live runner that owes a slot",
      { runner: { alive: true, last_due_slot: { ok: false, reason: "slot … has no ledger row" } } },
      "failing",
      ["slot_missed"],
    ],
    [
      "a live runner excuses a slot before its start even when the ledger lacks it",
      { due: { slot: "2026-11-24T07:00:00.000Z", handled: false } },
      "delivering",
      [],
    ],
    [
      "primary refused: degraded, primary unreachable",
      { last_tick: refusedPrimary, last_work: refusedPrimary },
      "degraded",
      ["primary_model_unreachable"],
    ],
    [
      "a required source failing, an optional one not counted",
      {
        last_work: tick({
          status: "degraded",
          failed_sources: [
            { id: "hn", code: "http_status", error: "HTTP 503" },
            { id: "lob", code: "timeout", error: "no complete response within 20s", optional: true },
          ],
        }),
      },
      "degraded",
      ["required_source_failing"],
    ],
    [
      "a failed tick with the alert raised",
      {
        last_work: tick({ status: "failed", reason: "the final draft failed validation; no digest written" }),
        alert: {
          active: true,
          file: "ALERT.txt",
          raised_at: NOW.toISOString(),
          since: "2026-11-24T05:00:00.000Z",
          empty_ticks: 3,
          threshold: 3,
        },
      },
      "failing",
      ["tick_failed", "alert_raised"],
    ],
    [
      "the newest digest has not reached a sink that reports an error",
      {
        deliver: {
          sinks: [
            {
              id: "inbox",
              kind: "email",
              pending: 1,
              failed: 0,
              sent: 3,
              last_sent_at: "2026-11-23T07:00:09.000Z",
              last_sent_slot: "2026-11-23T07:00:00.000Z",
              last_error: "connect ECONNREFUSED 127.0.0.1:25",
            },
            {
              id: "phone",
              kind: "ntfy",
              pending: 0,
              failed: 1,
              sent: 4,
              last_sent_at: "2026-11-24T07:00:09.000Z",
              last_sent_slot: "2026-11-24T07:00:00.000Z",
              last_error: "HTTP 500 last week",
            },
          ],
        },
      },
      "degraded",
      ["delivery_failing"],
    ],
    [
      "a quiet tick (healthy sources, too few new items) after a delivered one",
      {
        last_tick: tick({ status: "quiet", items: 1, model: null, out_path: null }),
        last_work: tick({ status: "quiet", items: 1, model: null, out_path: null }),
      },
      "quiet",
      ["too_few_items"],
    ],
    ["serve up, no tick yet", { last_tick: null, last_work: null }, "quiet", ["no_tick_yet"]],
    [
      "nothing ever ran and nothing runs",
      {
        last_tick: null,
        last_work: null,
        runner: null,
        serve: { running: false, pid: null, last_stop: null },
      },
      "not running",
      ["no_tick_yet"],
    ],
  ])("%s → %s", (_, over, verdict, reasons) => {
    const v = decideVerdict(snap(over), NOW);
    expect(v.verdict).toBe(verdict as never);
    expect(v.reasons.map((r) => r.code)).toEqual(reasons as never);
  });

  test("stopped and halted say how they resume; halted by itself at the first slot of the next day", () => {
    expect(
      decideVerdict(snap({ kill: { flag: "/f", present: true }, hold: stoppedHold }), NOW).resumes,
    ).toEqual({
      at: null,
      how: "afk arm removes the flag",
    });
    const h = decideVerdict(
      snap({
        cap: capHit,
        hold: haltedHold,
        runner: null,
        serve: { running: false, pid: null, last_stop: null },
      }),
      NOW,
    );
    expect(h.resumes?.at).toBe("2026-11-25T07:00:00.000Z");
    expect(h.resumes?.how).toContain("serve is not running: start it after");
  });

  test.each([
    [
      "serve (this process's runner) is up, a stale cron record beside it",
      { runner: { alive: true, last_due_slot: { ok: true, reason: null } } },
      "afk arm removes the flag",
    ],
    [
      "serve is up from another process, a stale cron record beside it",
      { runner: null },
      "afk arm removes the flag",
    ],
    [
      "no serve, the cron line ticked after the last slot",
      {
        runner: null,
        serve: { running: false, pid: null, last_stop: null },
        cron: { ...staleCron, recorded_at: "2026-11-24T07:00:01.000Z", ticking: true },
      },
      "afk arm removes the flag; the cron line ticks again by itself at the next slot (no serve needed)",
    ],
  ] as const)("who resumes a stop: %s", (_, over, how) => {
    const v = decideVerdict(
      snap({ cron: staleCron, kill: { flag: "/f", present: true }, hold: stoppedHold, ...over }),
      NOW,
    );
    expect(v.resumes?.how).toBe(how);
  });

  test("reasons are operator words, each fact once", () => {
    const v = decideVerdict(snap({ last_tick: refusedPrimary, last_work: refusedPrimary }), NOW);
    expect(v.reasons.map((r) => r.text)).toEqual([
      "primary (llama3.1:8b): connection refused at 127.0.0.1:11434 — is Ollama running?; extractive took over",
    ]);
  });
});
