import { FAULT_KINDS } from "./plan.ts";
import type { SoakResult } from "./run.ts";

/** The one JSON object `bun run soak --json` prints. */
export function soakJson(r: SoakResult): Record<string, unknown> {
  const i = r.invariants;
  return {
    ok: r.ok,
    slots: i.slots,
    slots_accounted: i.slots_accounted,
    double_deliveries: i.double_deliveries,
    partial_files: i.partial_files,
    days_over_cap: i.days_over_cap,
    kills_late: i.kills_late,
    supervisor: r.supervisor,
    cap_days_resumed: i.cap_days_resumed,
    faults_injected: r.faults.filter((f) => f.injected).length,
    fault_kinds: new Set(r.faults.filter((f) => f.injected).map((f) => f.kind)).size,
    rss_start_mb: i.rss_start_mb,
    rss_end_mb: i.rss_end_mb,
    rss_growth_in_process_mb: i.rss_growth_in_process_mb,
    fds_start: i.fds_start,
    fds_end: i.fds_end,
    fd_growth_in_process: i.fd_growth_in_process,
    ledger_out_mismatch: i.ledger_out_mismatch,
    rows_left_running: i.rows_left_running,
    day_totals_drift: i.day_totals_drift,
    run_log_days_missing: i.run_log_days_missing,
    max_day_spend_usd: i.max_day_spend_usd,
    catchups: i.catchups,
    restarts: r.restarts,
    unexpected_exits: r.unexpectedExits,
    statuses: i.statuses,
    ...r.jobs,
    faults_on_job_days: r.faults.filter((f) => f.injected && f.day === "job").map((f) => f.kind),
    wall_seconds: r.wallSeconds,
    seed: r.options.seed,
    days: r.options.days,
    cadence: r.options.cadence,
    scale: r.options.scale,
    job_day_list: r.options.jobDays,
    broken: r.broken,
    home: r.home,
  };
}

/** runs/soak-<timestamp>.md: what ran, what broke, and every invariant's figure. */
export function soakMarkdown(r: SoakResult, startedAt: Date): string {
  const i = r.invariants;
  const j = r.jobs;
  const lines = [
    `# Soak ${startedAt.toISOString()} — ${r.ok ? "PASSED" : "FAILED"}`,
    "",
    `${r.options.days} days of \`${r.options.cadence}\` (UTC) from ${r.options.day0.slice(0, 10)}, clock ×${r.options.scale}, seed ${r.options.seed}, in ${r.wallSeconds} s wall time. Real \`afk serve\` processes (${r.restarts} restarts), supervised only as ${r.supervisor} would; loopback feeds and model doubles. Capped days resumed by the process that halted, with no person acting: ${i.cap_days_resumed}. Home: \`${r.home}\`.`,
    "",
    "## Faults",
    "",
    "| when (virtual) | day | fault | hours | injected | seen in ledger | what happened |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...r.faults.map(
      (f) =>
        `| ${f.at} | ${f.day} | ${f.kind} | ${f.hours} | ${f.injected ? "yes" : "no"} | ${f.observed ? "yes" : "no"} | ${f.note} |`,
    ),
    "",
    `Kinds injected: ${new Set(r.faults.filter((f) => f.injected).map((f) => f.kind)).size} of ${FAULT_KINDS.length}.`,
    "",
    "## Invariants",
    "",
    "| invariant | figure |",
    "| --- | --- |",
    `| every slot accounted for once | ${i.slots_accounted} / ${i.slots} |`,
    `| slots delivered twice | ${i.double_deliveries} |`,
    `| rows left running | ${i.rows_left_running} |`,
    `| partial files in out/ | ${i.partial_files} |`,
    `| ledger vs out/ mismatches | ${i.ledger_out_mismatch} |`,
    `| days whose kept totals disagree with the rows | ${i.day_totals_drift.length ? i.day_totals_drift.join(", ") : "none"} |`,
    `| days over the cap | ${i.days_over_cap} (max day $${i.max_day_spend_usd.toFixed(6)}) |`,
    `| kills not honoured before the next tick | ${i.kills_late} |`,
    `| run log days missing (Day 0–${r.options.days}) | ${i.run_log_days_missing.length ? i.run_log_days_missing.join(", ") : "none"} |`,
    `| RSS start → end (MB) | ${i.rss_start_mb} → ${i.rss_end_mb}; worst growth within one process ${i.rss_growth_in_process_mb} |`,
    `| open fds start → end | ${i.fds_start} → ${i.fds_end}; worst growth within one process ${i.fd_growth_in_process} |`,
    `| catch-up ticks | ${i.catchups} |`,
    `| unexpected serve exits | ${r.unexpectedExits} |`,
    "",
    `Tick statuses: ${Object.entries(i.statuses)
      .sort()
      .map(([s, n]) => `${s} ${n}`)
      .join(", ")}. Temp files left in out/: ${i.tmp_leftovers}.`,
    "",
    "## Job days",
    "",
    `${j.job_days} days ran the \`job: command\` spec (Day ${r.options.jobDays.join(", ")}; ${j.spec_switches} spec switches, each a new SPEC.md and a restart): the soak's triage job (src/soak/triage-job.ts) with the official \`openai\` and \`ollama\` clients through afk's proxy.`,
    "",
    "| figure | value |",
    "| --- | --- |",
    `| job ticks (by status) | ${j.job_ticks} (${Object.entries(j.job_statuses)
      .sort()
      .map(([s, n]) => `${s} ${n}`)
      .join(", ")}) |`,
    `| units delivered | ${j.job_units_delivered} |`,
    `| proxy requests → model calls (paid) | ${j.proxy_requests} → ${j.job_calls} (${j.job_paid_calls}) |`,
    `| requests refused at the cap by the proxy | ${j.proxy_refusals_at_cap} |`,
    `| job ticks halted by the pre-flight | ${j.job_ticks_halted_cap} |`,
    `| most spent on a job day | $${j.job_max_day_spend_usd.toFixed(6)} |`,
    `| job processes left after the run | ${j.job_processes_left} |`,
    "",
    r.broken.length ? "## Broken" : "## Verdict",
    "",
    ...(r.broken.length ? r.broken.map((b) => `- ${b}`) : ["Every invariant held."]),
    "",
  ];
  return lines.join("\n");
}
