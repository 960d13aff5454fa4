import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TickStatus } from "../core/status.ts";
import { openDatabase } from "../ledger/db.ts";
import { createFlag, removeFlag } from "../runner/flag.ts";
import { processTree, stillListed } from "../runner/proctable.ts";
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

interface Live {
  pid: number;
  exited: Promise<number>;
  signalCode: () => string | null;
  lines: string[];
  waitForLine(re: RegExp): Promise<string>;
}

function spawnServe(launcher: ServeLauncher, spec: string, env: Record<string, string>): Live {
  const proc = Bun.spawn([...launcher.argv, "serve", "--spec", spec], {
    cwd: launcher.cwd,
    env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  let waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        for (const w of waiters.filter((x) => x.re.test(line))) w.resolve(line);
        waiters = waiters.filter((x) => !x.re.test(line));
      }
    }
  };
  void pump(proc.stdout);
  void pump(proc.stderr);
  return {
    pid: proc.pid,
    exited: proc.exited,
    signalCode: () => (proc.signalCode ? String(proc.signalCode) : null),
    lines,
    waitForLine(re) {
      const hit = lines.find((l) => re.test(l));
      return hit ? Promise.resolve(hit) : new Promise((resolve) => waiters.push({ re, resolve }));
    },
  };
}

function childEnv(home: string, tickSeconds: number): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    AFK_HOME: home,
    AFK_KILL_FLAG: join(home, "afk.kill"),
    AFK_STATUS_ADDR: "127.0.0.1:0",
    OLLAMA_HOST: "http://127.0.0.1:9",
    TICK_SECONDS: String(tickSeconds),
  };
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
  const child = spawnServe(launcher, spec, childEnv(p.home, p.tickSeconds));
  const checks: { name: string; ok: boolean }[] = [];
  let tree: number[] = [child.pid];
  let stoppedAt = new Date();
  let msToExit: number | null = null;
  let left: number[] = [];
  try {
    const reached =
      p.at === "tick"
        ? await withTimeout(feed.waitForRequests(requestsBefore + 1), STEP_TIMEOUT_MS)
        : await withTimeout(
            // Right after a tick closed, the next slot is the longest way off.
            p.stopper.kind === "flag"
              ? child.waitForLine(/^tick .*\[schedule/)
              : child.waitForLine(/^tick .*\[catchup/).then(() => child.waitForLine(/^next run /)),
            STEP_TIMEOUT_MS,
          );
    checks.push({
      name:
        p.at === "tick"
          ? "the runner was mid-tick (its fetch reached the feed)"
          : "the runner was asleep after a tick",
      ok: reached !== "timeout",
    });
    tree = processTree(child.pid);
    stoppedAt = new Date();
    if (p.stopper.kind === "flag") {
      // The flag stops the ticks, not the process: serve stays up (page, POST /kill alive) so that
      // `afk arm` alone resumes it under every supervisor; a signal then ends it, as systemctl stop would.
      createFlag(join(p.home, "afk.kill"), `afk kill-test at ${stoppedAt.toISOString()}`);
      const refused = await withTimeout(
        child.waitForLine(/^KILL flag present — refusing to run\.$/),
        STEP_TIMEOUT_MS,
      );
      const up = (await withTimeout(child.exited, 0)) === "timeout";
      checks.push({
        name: "the next tick refused and serve stayed up, stopped",
        ok: refused !== "timeout" && up,
      });
      const armed = removeFlag(join(p.home, "afk.kill"));
      const resumed = await withTimeout(child.waitForLine(/^resumed: ticks run again$/), STEP_TIMEOUT_MS);
      checks.push({
        name: "afk arm (flag removed) resumed it: the next slot ran",
        ok: armed && resumed !== "timeout",
      });
    }
    const t0 = performance.now();
    process.kill(child.pid, p.stopper.kind === "flag" ? "SIGTERM" : p.stopper.signal);
    const code = await withTimeout(child.exited, STEP_TIMEOUT_MS);
    left = await waitTreeGone(tree, t0);
    msToExit = code === "timeout" ? null : Math.round(performance.now() - t0);
    checks.push({
      name: `exited within ${EXIT_BUDGET_MS} ms`,
      ok: msToExit !== null && msToExit < EXIT_BUDGET_MS,
    });
    checks.push({ name: "exit code 0", ok: code === 0 });
    checks.push({ name: "nothing of the tree left in the process table", ok: left.length === 0 });
  } finally {
    feed.release();
    reap(tree);
  }
  const rows = rowsOf(p.home);
  checks.push({ name: "no ledger row left running", ok: rows.every((r) => r.status !== "running") });
  if (p.stopper.kind === "flag") {
    checks.push({
      name: "the tick refused: `KILL flag present — refusing to run.` and a refused_kill row",
      ok:
        child.lines.includes("KILL flag present — refusing to run.") &&
        rows.some((r) => r.status === "refused_kill"),
    });
  }
  if (p.at === "tick")
    checks.push({ name: "the tick in flight closed killed", ok: rows.at(-1)?.status === "killed" });
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
    msToExit,
    exitCode,
    signalCode: child.signalCode(),
    left,
    output: child.lines,
    rows,
    checks,
  };
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
