import type { Database } from "bun:sqlite";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { dayIn } from "../core/clock.ts";
import type { Spec } from "../spec/schema.ts";
import { readClock } from "../status/clock-state.ts";
import { RUN_LOG } from "../status/run-log.ts";
import { checkDayLines, dayLinesOf } from "./day-lines.ts";
import { longestUnattended, type Streak } from "./streak.ts";

/** One line of `afk verify`: ✓ and what holds, or ✗ and what is missing. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** The lab's bar: at least this many consecutive unattended days. */
export const MIN_UNATTENDED_DAYS = 14;

/** Text the shipped templates carry until someone fills them in (docs/RETROSPECTIVE.md, docs/DEMO.md). */
export const TEMPLATE_MARKER = "<!-- afk:template";

function nonEmptyFile(home: string, rel: string): string | null {
  const path = join(home, rel);
  if (!existsSync(path)) return `${rel} is missing`;
  if (statSync(path).size === 0 || readFileSync(path, "utf8").trim() === "") return `${rel} is empty`;
  return null;
}

/** Both kill-test records, non-empty, and neither recording a failed run (`afk kill-test` writes a verdict). */
export function killTestCheck(home: string): Check {
  const problems: string[] = [];
  for (const f of ["runs/kill-test-1.md", "runs/kill-test-2.md"]) {
    const missing = nonEmptyFile(home, f);
    if (missing) problems.push(missing);
    else if (readFileSync(join(home, f), "utf8").includes("Verdict: **FAIL**"))
      problems.push(`${f} records a failed kill test`);
  }
  return {
    name: "kill tests",
    ok: problems.length === 0,
    detail: problems.length
      ? `${problems.join("; ")} (afk kill-test writes them)`
      : "runs/kill-test-1.md and runs/kill-test-2.md",
  };
}

/** RETROSPECTIVE.md and DEMO.md in AFK_HOME, non-empty and no longer the unfilled template. */
export function writeUpCheck(home: string): Check {
  const problems: string[] = [];
  for (const f of ["RETROSPECTIVE.md", "DEMO.md"]) {
    const missing = nonEmptyFile(home, f);
    if (missing) problems.push(`${missing} (start from docs/${f})`);
    else if (readFileSync(join(home, f), "utf8").includes(TEMPLATE_MARKER))
      problems.push(`${f} is still the template (fill it in and remove the ${TEMPLATE_MARKER} … --> lines)`);
  }
  return {
    name: "write-ups",
    ok: problems.length === 0,
    detail: problems.length ? problems.join("; ") : "RETROSPECTIVE.md and DEMO.md",
  };
}

export function ledgerRowsCheck(db: Database | null): Check {
  const n = db ? (db.query<{ n: number }, []>("SELECT count(*) AS n FROM ticks").get()?.n ?? 0) : 0;
  return {
    name: "ledger",
    ok: n > 0,
    detail: db
      ? `${n} tick row${n === 1 ? "" : "s"} in ledger.sqlite`
      : "no ledger.sqlite (no tick has run here)",
  };
}

export interface WindowFacts {
  check: Check;
  streak: Streak | null;
}

/** The longest run of consecutive unattended completed days since the clock's Day 0. */
export function windowCheck(
  db: Database | null,
  spec: Spec,
  tickSeconds: number | undefined,
  now: Date,
): WindowFacts {
  const clock = db ? readClock(db) : null;
  if (!db || !clock)
    return {
      check: {
        name: "unattended window",
        ok: false,
        detail: "the clock was never started (afk clock start)",
      },
      streak: null,
    };
  const streak = longestUnattended({ db, spec, tickSeconds, clock }, dayIn(now, spec.timezone));
  const ok = (streak?.days ?? 0) >= MIN_UNATTENDED_DAYS;
  const span = streak ? `${streak.days} consecutive days (${streak.first} … ${streak.last})` : "0 days";
  return {
    check: {
      name: "unattended window",
      ok,
      detail: ok ? span : `${span}; need at least ${MIN_UNATTENDED_DAYS} (clock Day 0 = ${clock.start_day})`,
    },
    streak,
  };
}

export function runLogCheck(home: string, streak: Streak | null): Check {
  const path = join(home, RUN_LOG);
  if (!existsSync(path))
    return { name: "run log", ok: false, detail: `${RUN_LOG} is missing (afk clock start)` };
  const v = checkDayLines(
    dayLinesOf(readFileSync(path, "utf8")),
    MIN_UNATTENDED_DAYS,
    streak ? { first: streak.first, last: streak.last } : undefined,
  );
  return { name: "run log", ok: v.ok, detail: `${RUN_LOG}: ${v.detail}` };
}
