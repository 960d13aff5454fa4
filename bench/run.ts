#!/usr/bin/env bun
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
/**
 * `bun run bench [--json] [--only STEP,…]`: every figure measured side by side in one run, against
 * its goal. A missed goal stays missed: the note says what bounds it. `--only` runs the named steps
 * (STEPS below) and nothing else, for work on one figure without loading a shared machine for minutes.
 */
import { cpus, freemem, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchColdStart, prepareColdHome } from "./cold-start.ts";
import { compileAll } from "./compiled.ts";
import { benchCorpus } from "./corpus.ts";
import { benchDeliver } from "./deliver.ts";
import { type Figure, met, renderTable } from "./figure.ts";
import { benchMetrics } from "./metrics.ts";
import { benchIdleRss, benchRssGrowth } from "./serve-rss.ts";
import { benchSinkViews } from "./sink-views.ts";
import { benchSpendQuery, openFilledLedger } from "./spend-query.ts";
import { benchStatusRps } from "./status-rps.ts";
import { benchTickSourcesAlone } from "./tick-sources.ts";

const USAGE = "usage: bun run bench [--json] [--only STEP,…]";

/** The arguments; an unknown option or a stray word is one line and the usage, exit 2 (no stack). */
function args() {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      options: { json: { type: "boolean", default: false }, only: { type: "string" } },
    });
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}
const { values } = args();
/**
 * The steps in run order; `cold` measures status on the ledger `growth` leaves behind, or alone on a
 * ledger filled as big (`metrics` reads `spend`'s ledger: it fills it alone).
 */
const STEPS = [
  "idle",
  "growth",
  "cold",
  "sources",
  "deliver",
  "corpus",
  "spend",
  "metrics",
  "outbox",
  "rps",
] as const;
const only = values.only?.split(",").map((s) => s.trim());
const unknown = only?.filter((s) => !(STEPS as readonly string[]).includes(s)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(`bench: --only: unknown step ${unknown.join(", ")} (steps: ${STEPS.join(", ")})\n`);
  process.exit(2);
}
const want = (step: (typeof STEPS)[number]) => only === undefined || only.includes(step);
const log = (line: string) => {
  if (!values.json) process.stderr.write(`bench: ${line}\n`);
};

const root = mkdtempSync(join(tmpdir(), "afk-bench-"));
const dir = (name: string) => {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  return d;
};
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", AFK_STATUS_ADDR: "127.0.0.1:0" };
const today = new Date().toISOString().slice(0, 10);
const figures: Figure[] = [];
try {
  const needsBins = ["idle", "growth", "cold", "rps"] as const;
  if (needsBins.some(want)) log("compiling afk and hello-world");
  const bins = needsBins.some(want) ? compileAll(dir("bin")) : null;

  if (bins && want("idle")) {
    log("serve idle RSS");
    const idleHome = dir("idle");
    figures.push(
      ...(await benchIdleRss(bins.afk, bins.idleFloor, idleHome, {
        ...env,
        AFK_KILL_FLAG: join(idleHome, "afk.kill"),
      })),
    );
  }

  const ticksHome = dir("ticks");
  if (bins && want("growth")) {
    log("10,000 ticks");
    figures.push(
      ...(await benchRssGrowth(bins.afk, ticksHome, { ...env, AFK_KILL_FLAG: join(ticksHome, "afk.kill") })),
    );
  }

  if (bins && want("cold")) {
    if (!want("growth")) prepareColdHome(ticksHome, today);
    log("afk status and --version cold start vs hello");
    figures.push(
      ...benchColdStart(bins, join(ticksHome, "SPEC.md"), {
        ...env,
        HOME: ticksHome,
        AFK_HOME: ticksHome,
        AFK_KILL_FLAG: join(ticksHome, "afk.kill"),
      }),
    );
  }

  if (want("sources")) {
    log("a tick over 100 sources");
    figures.push(...(await benchTickSourcesAlone(dir("sources"))));
  }

  if (want("deliver")) {
    log("a tick delivering to three sinks on loopback vs none");
    figures.push(await benchDeliver(dir("deliver")));
  }

  if (want("corpus")) {
    log("the corpora's slowest file");
    figures.push(benchCorpus());
  }

  if (want("spend") || want("metrics")) {
    log("spend query over 1,000,000 rows");
    const spendDb = openFilledLedger(dir("spend"), 1_000_000, today);
    if (want("spend")) figures.push(benchSpendQuery(spendDb, today));
    spendDb.close();
  }

  if (want("metrics")) {
    log("/metrics over 1,000,000 rows");
    figures.push(benchMetrics(dir("spend")));
  }

  if (want("outbox")) {
    log("each sink's view over a year of outbox rows");
    figures.push(benchSinkViews(dir("outbox")));
  }

  if (bins && want("rps")) {
    log("/status.json with 100,000 rows");
    const rpsHome = dir("rps");
    openFilledLedger(rpsHome, 100_000, today).close();
    figures.push(
      await benchStatusRps(bins.afk, rpsHome, { ...env, AFK_KILL_FLAG: join(rpsHome, "afk.kill") }),
    );
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

const machine = {
  nproc: cpus().length,
  cpu: cpus()[0]?.model ?? "unknown",
  mem_total_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  mem_free_gb: Math.round((freemem() / 2 ** 30) * 10) / 10,
  bun: Bun.version,
};
if (values.json) {
  const out: Record<string, unknown> = { machine };
  for (const f of figures) out[f.key] = f.value;
  out.goals = Object.fromEntries(
    figures.map((f) => [f.key, { goal: `${f.goal.op} ${f.goal.target}`, met: met(f), note: f.note }]),
  );
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else {
  process.stdout.write(
    `${[`Machine: ${machine.nproc} × ${machine.cpu}, ${machine.mem_total_gb} GB RAM, Bun ${machine.bun}`, "", ...renderTable(figures)].join("\n")}\n`,
  );
}
process.exit(0);
