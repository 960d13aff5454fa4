#!/usr/bin/env bun
/**
 * `bun run soak [--days 14] [--cadence PATTERN] [--json] [--seed N] [--scale K] [--faults a,b]
 *  [--home DIR] [--job-days 8-12|1,4|none]`: days of real `afk serve` in minutes, faults injected, invariants checked.
 * Exit 0 when every invariant held, 1 when one broke, 2 on bad arguments.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "../src/soak/child.ts";
import { defaultJobDays, FAULT_KINDS, type FaultKind, parseJobDays } from "../src/soak/plan.ts";
import { soakJson, soakMarkdown } from "../src/soak/report.ts";
import { runSoak } from "../src/soak/run.ts";

const USAGE =
  "usage: bun run soak [--days 14] [--cadence PATTERN] [--json] [--seed N] [--scale K] [--faults a,b] [--home DIR] [--job-days 8-12|1,4|none]";

/** The arguments; an unknown option or a stray word is one line and the usage, exit 2 (no stack). */
function args() {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      options: {
        days: { type: "string", default: "14" },
        cadence: { type: "string", default: "0 * * * *" },
        json: { type: "boolean", default: false },
        seed: { type: "string", default: "1" },
        scale: { type: "string", default: "8640" },
        faults: { type: "string", default: FAULT_KINDS.join(",") },
        home: { type: "string" },
        "job-days": { type: "string" },
      },
    });
  } catch (err) {
    process.stderr.write(`soak: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}
const { values } = args();

const days = Number(values.days);
const seed = Number(values.seed);
const scale = Number(values.scale);
const onJob =
  values["job-days"] === undefined ? defaultJobDays(days) : parseJobDays(values["job-days"], days);
const faults = values.faults.split(",").filter(Boolean) as FaultKind[];
const bad = faults.filter((f) => !(FAULT_KINDS as readonly string[]).includes(f));
if (
  !Number.isInteger(days) ||
  days < 1 ||
  !Number.isInteger(seed) ||
  !(scale > 0) ||
  onJob === null ||
  bad.length
) {
  process.stderr.write(
    `soak: --days must be a whole number ≥ 1, --seed an integer, --scale > 0, --job-days a range (8-12), a list (1,4) or none, within Day 1 … Day --days, --faults among ${FAULT_KINDS.join(",")}${bad.length ? ` (unknown: ${bad.join(",")})` : ""}\n`,
  );
  process.exit(2);
}

const startedAt = new Date();
const home = values.home ?? mkdtempSync(join(tmpdir(), "afk-soak-"));
const log = values.json ? undefined : (line: string) => process.stderr.write(`soak: ${line}\n`);
const result = await runSoak({
  days,
  cadence: values.cadence,
  seed,
  scale,
  faults,
  home,
  day0: new Date("2026-03-02T00:00:00Z"),
  jobDays: onJob ?? [],
  ...(log ? { log } : {}),
});

const name = `soak-${startedAt.toISOString().replace(/[:.]/g, "-")}.md`;
const md = soakMarkdown(result, startedAt);
writeFileSync(join(home, "runs", name), md);
mkdirSync(join(REPO_ROOT, "runs"), { recursive: true });
copyFileSync(join(home, "runs", name), join(REPO_ROOT, "runs", name));

if (values.json) process.stdout.write(`${JSON.stringify(soakJson(result))}\n`);
else process.stdout.write(`${md}\nwritten: runs/${name}\n`);
process.exit(result.ok ? 0 : 1);
