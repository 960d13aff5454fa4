import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TickStatus } from "../core/status.ts";
import { openDatabase } from "../ledger/db.ts";
import { createFlag, removeFlag } from "../runner/flag.ts";
import { processTree, stillListed } from "../runner/proctable.ts";
import { type AfkChild, startAfk } from "./afk-child.ts";
import type { KillTestFeed } from "./kill-test-feed.ts";

/** How `afk serve` is started for the test: the way a user would (`bun run afk serve` in the repo). */
export interface ServeLauncher {
  /** The argv before `serve --spec …`, and its working directory. */
  argv: string[];
  cwd: string;
}

export interface RowEvidence {
  id: string;
  trigger: string;
  slot: string;
  status: TickStatus;
  reason: string | null;
}

export interface ScenarioEvidence {
  title: string;
  /** What stopped it: the kill flag, or a signal to the top pid. */
  stop: string;
  command: string;
  home: string;
  /** The process the user would kill (the top of the tree) and every process under it. */
  topPid: number;
  tree: string[];
  stoppedAt: string;
  msToExit: number | null;
  exitCode: number | null;
  signalCode: string | null;
  /** Processes of the tree still in the table after the exit (must be none). */
  left: number[];
  output: string[];
  rows: RowEvidence[];
  checks: { name: string; ok: boolean }[];
}

const STEP_TIMEOUT_MS = 20_000;
const EXIT_BUDGET_MS = 5_000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  let t: ReturnType<typeof setTimeout> | undefined;
  const timer = new Promise<"timeout">((resolve) => {
    t = setTimeout(() => resolve("timeout"), ms);
  });
  return Promise.race([p, timer]).finally(() => clearTimeout(t));
}

/** The n-th stdout line matching `re`, or "timeout" (also when the output ends without it). */
function lineOf(child: AfkChild, re: RegExp, n = 1): Promise<string | "timeout"> {
  return withTimeout(
    child.out.waitFor(re, n).catch(() => "timeout" as const),
    STEP_TIMEOUT_MS,
  );
}

function writeKillTestSpec(home: string, feedUrl: string): string {
  mkdirSync(home, { recursive: true });
  const path = join(home, "SPEC.md");
  writeFileSync(
    path,
    [
      "---",
      "name: kill-test",
      'cadence: "0 7 * * *"',
      "timezone: UTC",
      "budget: { daily_cap_usd: 1 }",
      "value: { unit: digest, usd_per_unit: 1, min_items: 1 }",
      "sources:",
      `  - { id: loopback, url: "${feedUrl}", timeout_s: 60 }`,
      "models:",
      "  - { id: extractive, kind: extractive }",
      "limits: { max_tick_seconds: 120, catch_up_hours: 12 }",
      "---",
      "",
      "The spec afk kill-test runs: one loopback feed, no model.",
      "",
    ].join("\n"),
  );
  return path;
}

function rowsOf(home: string): RowEvidence[] {
  const path = join(home, "ledger.sqlite");
  if (!existsSync(path)) return [];
  const db = openDatabase(path);
  try {
    return db
      .query<RowEvidence, []>(
        "SELECT id, trigger, slot, status, reason FROM ticks ORDER BY started_at, rowid",
      )
      .all();
  } finally {
    db.close();
  }
}

/** Kills whatever is left of a tree (a failed run must not leave processes behind either). */
function reap(pids: readonly number[]): void {
  for (const pid of stillListed(pids)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

async function waitTreeGone(tree: readonly number[], t0: number): Promise<number[]> {
  // Not a child of ours below the top: poll the table, bounded by the exit budget.
  while (stillListed(tree).length > 0 && performance.now() - t0 < EXIT_BUDGET_MS)
    await new Promise((resolve) => setTimeout(resolve, 20));
  return stillListed(tree);
}

type Stopper = { kind: "flag" } | { kind: "signal"; signal: "SIGTERM" | "SIGINT" };

interface ScenarioPlan {
  title: string;
  home: string;
  tickSeconds: number;
  /** Where the runner is when it is stopped. */
  at: "sleep" | "tick";
  stopper: Stopper;
}

async function scenario(
  launcher: ServeLauncher,
  feed: KillTestFeed,
  p: ScenarioPlan,
): Promise<ScenarioEvidence> {
  const spec = writeKillTestSpec(p.home, feed.url);
  if (p.at === "tick") feed.hold();
  const requestsBefore = feed.received();
  const child = startAfk(["serve", "--spec", spec], {
    launcher: launcher.argv,
    cwd: launcher.cwd,
    home: p.home,
    env: {
      AFK_STATUS_ADDR: "127.0.0.1:0",
      OLLAMA_HOST: "http://127.0.0.1:9",
      TICK_SECONDS: String(p.tickSeconds),
    },
  });
  const checks: { name: string; ok: boolean }[] = [];
  let tree: number[] = [child.pid];
  let stoppedAt = new Date();
  let stopped: { msToExit: number | null; left: number[] } = { msToExit: null, left: [] };
  try {
    checks.push(await reachPoint(child, feed, p, requestsBefore));
    tree = processTree(child.pid);
    stoppedAt = new Date();
    if (p.stopper.kind === "flag") checks.push(...(await flagRound(child, p.home, stoppedAt)));
    stopped = await stopAndTime(child, p.stopper, tree, checks);
  } finally {
    feed.release();
    reap(tree);
  }
  const rows = rowsOf(p.home);
  checks.push(...rowChecks(rows, child, p));
  const exitCode = await child.exited;
  return {
    title: p.title,
    stop:
      p.stopper.kind === "flag"
        ? `kill flag ${join(p.home, "afk.kill")} created, removed (afk arm), then SIGTERM`
        : `${p.stopper.signal} to pid ${child.pid}`,
    command: `TICK_SECONDS=${p.tickSeconds} ${[...launcher.argv, "serve", "--spec", spec].join(" ")}  (cwd ${launcher.cwd})`,
    home: p.home,
    topPid: child.pid,
    tree: tree.map((pid) => String(pid)),
    stoppedAt: stoppedAt.toISOString(),
    msToExit: stopped.msToExit,
    exitCode,
    signalCode: child.signalCode,
    left: stopped.left,
    output: [...child.out.lines, ...child.err.lines],
    rows,
    checks,
  };
}

/** Waits until the runner is where the plan stops it: mid-tick (its fetch reached the feed) or asleep after a tick. */
async function reachPoint(
  child: AfkChild,
  feed: KillTestFeed,
  p: ScenarioPlan,
  requestsBefore: number,
): Promise<{ name: string; ok: boolean }> {
  if (p.at === "tick") {
    const reached = await withTimeout(feed.waitForRequests(requestsBefore + 1), STEP_TIMEOUT_MS);
    return { name: "the runner was mid-tick (its fetch reached the feed)", ok: reached !== "timeout" };
  }
  // Right after a tick closed, the next slot is the longest way off.
  const reached =
    p.stopper.kind === "flag"
      ? await lineOf(child, /^tick .*\[schedule/)
      : (await lineOf(child, /^tick .*\[catchup/)) === "timeout"
        ? "timeout"
        : await lineOf(child, /^next run /);
  return { name: "the runner was asleep after a tick", ok: reached !== "timeout" };
}

/**
 * The flag stops the ticks, not the process: serve stays up (page, POST /kill alive) so that
 * `afk arm` alone resumes it under every supervisor; a signal then ends it, as systemctl stop would.
 */
async function flagRound(child: AfkChild, home: string, at: Date): Promise<{ name: string; ok: boolean }[]> {
  createFlag(join(home, "afk.kill"), `afk kill-test at ${at.toISOString()}`);
  const refused = await lineOf(child, /^KILL flag present — refusing to run\.$/);
  const up = (await withTimeout(child.exited, 0)) === "timeout";
  const armed = removeFlag(join(home, "afk.kill"));
  const resumed = await lineOf(child, /^resumed: ticks run again$/);
  return [
    { name: "the next tick refused and serve stayed up, stopped", ok: refused !== "timeout" && up },
    { name: "afk arm (flag removed) resumed it: the next slot ran", ok: armed && resumed !== "timeout" },
  ];
}

/** The signal a user would send, then how long the whole tree took to go. */
async function stopAndTime(
  child: AfkChild,
  stopper: Stopper,
  tree: readonly number[],
  checks: { name: string; ok: boolean }[],
): Promise<{ msToExit: number | null; left: number[] }> {
  const t0 = performance.now();
  child.kill(stopper.kind === "flag" ? "SIGTERM" : stopper.signal);
  const code = await withTimeout(child.exited, STEP_TIMEOUT_MS);
  const left = await waitTreeGone(tree, t0);
  const msToExit = code === "timeout" ? null : Math.round(performance.now() - t0);
  checks.push(
    { name: `exited within ${EXIT_BUDGET_MS} ms`, ok: msToExit !== null && msToExit < EXIT_BUDGET_MS },
    { name: "exit code 0", ok: code === 0 },
    { name: "nothing of the tree left in the process table", ok: left.length === 0 },
  );
  return { msToExit, left };
}

/** What the ledger must say afterwards: nothing left running, the refusal or the killed tick recorded. */
function rowChecks(rows: RowEvidence[], child: AfkChild, p: ScenarioPlan): { name: string; ok: boolean }[] {
  const checks = [{ name: "no ledger row left running", ok: rows.every((r) => r.status !== "running") }];
  if (p.stopper.kind === "flag")
    checks.push({
      name: "the tick refused: `KILL flag present — refusing to run.` and a refused_kill row",
      ok:
        child.out.lines.includes("KILL flag present — refusing to run.") &&
        rows.some((r) => r.status === "refused_kill"),
    });
  if (p.at === "tick")
    checks.push({ name: "the tick in flight closed killed", ok: rows.at(-1)?.status === "killed" });
  return checks;
}

/** Mechanism 1: the flag makes the next tick refuse while serve stays up; removing it resumes. */
export function flagScenario(launcher: ServeLauncher, feed: KillTestFeed, home: string) {
  return scenario(launcher, feed, {
    title: "mechanism 1 — the kill flag",
    home,
    tickSeconds: 1,
    at: "sleep",
    stopper: { kind: "flag" },
  });
}

/** Mechanism 2: a signal to the PID a user has ends the runner (mid-sleep, then mid-tick) and everything under it. */
export async function signalScenarios(launcher: ServeLauncher, feed: KillTestFeed, home: string) {
  const sleep = await scenario(launcher, feed, {
    title: "mechanism 2a — SIGTERM mid-sleep",
    home: join(home, "sleep"),
    tickSeconds: 3600,
    at: "sleep",
    stopper: { kind: "signal", signal: "SIGTERM" },
  });
  const tick = await scenario(launcher, feed, {
    title: "mechanism 2b — SIGTERM mid-tick",
    home: join(home, "tick"),
    tickSeconds: 3600,
    at: "tick",
    stopper: { kind: "signal", signal: "SIGTERM" },
  });
  return [sleep, tick];
}

function cell(s: string | null): string {
  return (s ?? "").replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** One evidence file: what was run, what was measured, and the verdict. */
export function renderEvidence(heading: string, at: Date, scenarios: readonly ScenarioEvidence[]): string {
  const ok = scenarios.every((s) => s.checks.every((c) => c.ok));
  const out = [
    `# ${heading}`,
    "",
    `Run at ${at.toISOString()} by \`afk kill-test\`. Verdict: **${ok ? "PASS" : "FAIL"}**.`,
    "",
  ];
  for (const s of scenarios) {
    out.push(
      `## ${s.title}`,
      "",
      "| fact | value |",
      "| --- | --- |",
      `| command | \`${cell(s.command)}\` |`,
      `| temporary home | \`${s.home}\` |`,
      `| PID killed / watched (top of the tree) | ${s.topPid} |`,
      `| process tree before the stop (ps) | ${s.tree.join(", ")} |`,
      `| stop | ${cell(s.stop)} at ${s.stoppedAt} |`,
      `| time to exit (whole tree gone) | ${s.msToExit === null ? "did not exit" : `${s.msToExit} ms`} |`,
      `| exit code | ${s.exitCode}${s.signalCode ? ` (signal ${s.signalCode})` : ""} |`,
      `| left in the process table after | ${s.left.length ? s.left.join(", ") : "none"} |`,
      "",
      "Checks:",
      "",
      ...s.checks.map((c) => `- [${c.ok ? "x" : " "}] ${c.name}`),
      "",
      "Ledger rows (`ticks`):",
      "",
      "| id | trigger | slot | status | reason |",
      "| --- | --- | --- | --- | --- |",
      ...s.rows.map((r) => `| ${r.id} | ${r.trigger} | ${r.slot} | ${r.status} | ${cell(r.reason)} |`),
      "",
      "Runner output:",
      "",
      "```",
      ...s.output,
      "```",
      "",
    );
  }
  return out.join("\n");
}

export function passed(scenarios: readonly ScenarioEvidence[]): boolean {
  return scenarios.every((s) => s.checks.every((c) => c.ok));
}
