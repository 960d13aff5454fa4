import type { Database } from "bun:sqlite";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { microsToUsd } from "../core/money.ts";
import { DELIVERED_SQL, isDelivered, type TickStatus } from "../core/status.ts";
import { isAtomicTemp } from "../core/write-atomic.ts";
import { dayTotalsDrift } from "../ledger/day-totals-drift.ts";
import { spendOnDay } from "../ledger/ticks.ts";
import type { Spec } from "../spec/schema.ts";
import { slotsBetween } from "../spec/slots.ts";
import { minimaSlope } from "./trend.ts";

/** A kill flag's life as the soak saw it: the ledger's last rowid when it was set and when it was removed. */
export interface KillWindow {
  setAfterRowid: number;
  removedAfterRowid: number;
  /** The serve process stayed up (stopped) while the flag was there, so `afk arm` alone resumes it. */
  stayedUp: boolean;
}

export interface Sample {
  generation: number;
  at: string;
  rssMb: number;
  fds: number;
}

export interface InvariantInput {
  db: Database;
  home: string;
  spec: Spec;
  capMicros: number;
  /** The first slot the run serves (the latest slot when the first serve started). */
  firstSlot: Date;
  /** The last slot the run must reach. */
  lastSlot: Date;
  /** Days the run log must cover: Day 0 … Day `days`. */
  days: number;
  kills: readonly KillWindow[];
  samples: readonly Sample[];
  /** When the job spec ran instead (SPEC.md switched in at `from`, out at `to`): its own cadence's slots count there. */
  jobPeriods?: readonly { from: Date; to: Date; spec: Spec }[];
}

/** The slots the run must account for: the digest spec's, and inside each job period the job spec's instead. */
export function runSlots(
  i: Pick<InvariantInput, "spec" | "firstSlot" | "lastSlot" | "jobPeriods">,
): string[] {
  const from = new Date(i.firstSlot.getTime() - 1);
  const periods = i.jobPeriods ?? [];
  const inJob = (d: Date) => periods.some((p) => d > p.from && d < p.to);
  const slots = slotsBetween(i.spec, from, i.lastSlot).filter((d) => !inJob(d));
  for (const p of periods)
    slots.push(...slotsBetween(p.spec, from, i.lastSlot).filter((d) => d > p.from && d < p.to));
  return slots.sort((a, b) => a.getTime() - b.getTime()).map((d) => d.toISOString());
}

export interface InvariantReport {
  slots: number;
  slots_accounted: number;
  unaccounted: string[];
  double_deliveries: number;
  rows_left_running: number;
  partial_files: number;
  ledger_out_mismatch: number;
  days_over_cap: number;
  max_day_spend_usd: number;
  kills_late: number;
  /** Capped days after which the same serve process (no restart, no person) delivered again. */
  cap_days_resumed: number;
  /** Capped days with no later delivery by the process that halted. */
  cap_days_stuck: string[];
  run_log_days_missing: number[];
  rss_start_mb: number;
  rss_end_mb: number;
  rss_growth_in_process_mb: number;
  fds_start: number;
  fds_end: number;
  fd_growth_in_process: number;
  statuses: Record<string, number>;
  catchups: number;
  tmp_leftovers: number;
  /** Days whose per-day totals (core-008's triggers) disagree with the rows, per table. */
  day_totals_drift: string[];
}

/** Limits on "flat": growth within one serve process over the run. */
export const RSS_FLAT_MB = 24;
export const FD_FLAT = 8;

const round1 = (x: number) => Math.round(x * 10) / 10;

export interface Row {
  slot: string;
  status: TickStatus;
  reason: string | null;
  out_path: string | null;
}

/** Files in out/ that are not whole digests (ALERT.txt is the watchdog's and digests.atom the feed, not digests). */
function outFiles(home: string): { names: string[]; partial: number; temps: number } {
  const dir = join(home, "out");
  if (!existsSync(dir)) return { names: [], partial: 0, temps: 0 };
  const all = readdirSync(dir);
  const temps = all.filter(isAtomicTemp).length;
  const names = all.filter((n) => n !== "ALERT.txt" && n !== "digests.atom" && !isAtomicTemp(n));
  let partial = 0;
  for (const n of names) {
    const p = join(dir, n);
    const text = statSync(p).isFile() ? readFileSync(p, "utf8") : "";
    const whole =
      n.endsWith(".md") &&
      text.startsWith("# ") &&
      text.endsWith("\n") &&
      /· \d+ items · written by /.test(text);
    if (!whole) partial++;
  }
  return { names, partial, temps };
}

/**
 * Growth within one process, by the bench's method (src/soak/trend.ts): per serve process, its
 * samples cut into windows, the slope of the per-window minima, times the span it covers. A leak
 * raises every window's low; a garbage spike that is collected again raises none, so one high
 * sample is not counted as growth. The first sample of each process (start-up: JIT, first
 * connections) and, with 12 samples or more, its first window are left out; the worst process counts.
 */
export function growth(samples: readonly Sample[], pick: (s: Sample) => number): number {
  const byGen = new Map<number, Sample[]>();
  for (const s of samples) byGen.set(s.generation, [...(byGen.get(s.generation) ?? []), s]);
  let worst = 0;
  for (const list of byGen.values()) {
    const all = list.slice(1).map((s, x) => ({ x, y: pick(s) }));
    const window = all.length >= 12 ? Math.floor(all.length / 6) : 1;
    // The first window is warm-up too (caches filling, the first ticks' JIT), as the bench's first 50 ticks.
    const steady = all.length >= 12 ? all.slice(window) : all;
    if (steady.length < 2) continue;
    worst = Math.max(worst, minimaSlope(steady, window).slope * (steady.length - 1));
  }
  return worst;
}

/** The spec whose cadence owns `slot`: the job spec inside a job period, else the digest's. */
function specOf(i: Pick<InvariantInput, "spec" | "jobPeriods">, slot: Date): Spec {
  const p = (i.jobPeriods ?? []).find((x) => slot > x.from && slot < x.to);
  return p?.spec ?? i.spec;
}

/** An unaccounted slot in words: its time, the spec (name, cadence) it is due under, and the rows it has. */
function describeUnaccounted(
  i: Pick<InvariantInput, "spec" | "jobPeriods">,
  slot: string,
  rows: readonly Row[],
): string {
  const spec = specOf(i, new Date(slot));
  const seen = rows.length ? rows.map((r) => r.status).join("+") : "no row";
  return `${slot} (spec ${spec.name}, cadence "${spec.cadence}": ${seen})`;
}

export interface SlotAccount {
  slots: string[];
  accounted: number;
  /** Slots delivered more than once. */
  doubles: number;
  /** Each unaccounted slot in words (describeUnaccounted). */
  unaccounted: string[];
}

/**
 * Every slot of the run against the ledger's rows: accounted by exactly one delivery, or by
 * closed rows with a reason (or the catch-up's record of it as missed) and no delivery.
 */
export function accountSlots(
  i: Pick<InvariantInput, "db" | "spec" | "firstSlot" | "lastSlot" | "jobPeriods">,
  rows: readonly Row[],
): SlotAccount {
  const slots = runSlots(i);
  const bySlot = new Map<string, Row[]>();
  for (const r of rows) bySlot.set(r.slot, [...(bySlot.get(r.slot) ?? []), r]);
  const missed = new Set<string>();
  for (const c of i.db.query<{ missed: string }, []>("SELECT missed FROM runner_catchups").all())
    for (const s of JSON.parse(c.missed) as string[]) missed.add(s);
  const account: SlotAccount = { slots, accounted: 0, doubles: 0, unaccounted: [] };
  for (const slot of slots) {
    const list = bySlot.get(slot) ?? [];
    const delivered = list.filter((r) => isDelivered(r.status)).length;
    if (delivered > 1) account.doubles++;
    const reasoned = list.some((r) => r.status !== "running" && r.reason) || missed.has(slot);
    if (delivered === 1 || (delivered === 0 && reasoned)) account.accounted++;
    else account.unaccounted.push(describeUnaccounted(i, slot, list));
  }
  return account;
}

/** Every invariant the soak promises, read from the ledger, out/, the run log and the samples. */
export function checkInvariants(i: InvariantInput): InvariantReport {
  const { db } = i;
  const rows = db.query<Row, []>("SELECT slot, status, reason, out_path FROM ticks").all();
  const { slots, accounted, doubles, unaccounted } = accountSlots(i, rows);

  const out = outFiles(i.home);
  const deliveredPaths = new Set(
    rows.filter((r) => isDelivered(r.status) && r.out_path).map((r) => r.out_path as string),
  );
  const onDisk = new Set(out.names.map((n) => `out/${n}`));
  const mismatch =
    [...deliveredPaths].filter((p) => !onDisk.has(p)).length +
    [...onDisk].filter((p) => !deliveredPaths.has(p)).length;

  const days = db.query<{ day: string }, []>("SELECT DISTINCT day FROM call_spend").all();
  const spends = days.map((d) => spendOnDay(db, d.day));
  const kills_late = i.kills.filter((k) => {
    const after = db
      .query<{ status: TickStatus }, [number, number]>(
        "SELECT status FROM ticks WHERE rowid > ? AND rowid <= ?",
      )
      .all(k.setAfterRowid, k.removedAfterRowid);
    const ran = after.some(
      (r) => !["refused_kill", "killed", "skipped_overlap", "skipped_done"].includes(r.status),
    );
    return ran || !k.stayedUp;
  }).length;

  const capped = db
    .query<{ day: string; last: number; pid: number }, []>(
      `SELECT t.day AS day, t.rowid AS last, t.pid AS pid FROM ticks t
        WHERE t.rowid = (SELECT max(rowid) FROM ticks WHERE status = 'halted_cap' AND day = t.day)
        ORDER BY t.day`,
    )
    .all();
  const resumedBy = db.query<{ pid: number }, [number]>(
    `SELECT pid FROM ticks WHERE rowid > ? AND status IN ${DELIVERED_SQL} ORDER BY rowid LIMIT 1`,
  );
  const stuck = capped.filter((c) => resumedBy.get(c.last)?.pid !== c.pid).map((c) => c.day);

  const logPath = join(i.home, "runs", "run-log.md");
  const log = existsSync(logPath) ? readFileSync(logPath, "utf8") : "";
  const logged = new Set([...log.matchAll(/^Day (\d+): /gm)].map((m) => Number(m[1])));
  const missing = Array.from({ length: i.days + 1 }, (_, n) => n).filter((n) => !logged.has(n));

  const statuses: Record<string, number> = {};
  for (const r of rows) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const first = i.samples[1] ?? i.samples[0];
  const last = i.samples.at(-1);
  return {
    slots: slots.length,
    slots_accounted: accounted,
    unaccounted: unaccounted.slice(0, 20),
    double_deliveries: doubles,
    rows_left_running: statuses.running ?? 0,
    partial_files: out.partial,
    ledger_out_mismatch: mismatch,
    days_over_cap: spends.filter((s) => s > i.capMicros).length,
    max_day_spend_usd: microsToUsd(Math.max(0, ...spends)),
    kills_late,
    cap_days_resumed: capped.length - stuck.length,
    cap_days_stuck: stuck,
    run_log_days_missing: missing,
    rss_start_mb: round1(first?.rssMb ?? 0),
    rss_end_mb: round1(last?.rssMb ?? 0),
    rss_growth_in_process_mb: round1(growth(i.samples, (s) => s.rssMb)),
    fds_start: first?.fds ?? 0,
    fds_end: last?.fds ?? 0,
    fd_growth_in_process: growth(i.samples, (s) => s.fds),
    statuses,
    catchups: db.query<{ n: number }, []>("SELECT count(*) AS n FROM runner_catchups").get()?.n ?? 0,
    tmp_leftovers: out.temps,
    day_totals_drift: dayTotalsDrift(db),
  };
}

/** The broken invariants, in words; empty when the soak passed. */
export function brokenInvariants(r: InvariantReport): string[] {
  const broken: string[] = [];
  if (r.slots_accounted !== r.slots)
    broken.push(
      `${r.slots - r.slots_accounted} of ${r.slots} slots unaccounted: ${r.unaccounted.join("; ")}`,
    );
  if (r.double_deliveries) broken.push(`${r.double_deliveries} slots delivered twice`);
  if (r.rows_left_running) broken.push(`${r.rows_left_running} ledger rows left running`);
  if (r.partial_files) broken.push(`${r.partial_files} partial files in out/`);
  if (r.ledger_out_mismatch) broken.push(`ledger and out/ disagree on ${r.ledger_out_mismatch} files`);
  if (r.days_over_cap) broken.push(`${r.days_over_cap} days over the cap`);
  if (r.kills_late) broken.push(`${r.kills_late} kills not honoured before the next tick`);
  if (r.cap_days_stuck.length)
    broken.push(`capped days not resumed by the process that halted: ${r.cap_days_stuck.join(", ")}`);
  if (r.day_totals_drift.length)
    broken.push(`per-day totals disagree with the rows: ${r.day_totals_drift.join(", ")}`);
  if (r.run_log_days_missing.length) broken.push(`run log lacks Day ${r.run_log_days_missing.join(", ")}`);
  if (r.rss_growth_in_process_mb > RSS_FLAT_MB)
    broken.push(`RSS grew ${r.rss_growth_in_process_mb} MB within one serve process (limit ${RSS_FLAT_MB})`);
  if (r.fd_growth_in_process > FD_FLAT)
    broken.push(`open fds grew by ${r.fd_growth_in_process} within one serve process (limit ${FD_FLAT})`);
  return broken;
}
