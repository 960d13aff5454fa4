import { addDays, daysBetween } from "../status/days.ts";

/** The `Day N: YYYY-MM-DD` lines of runs/run-log.md, deduplicated (Day 0 appears at start and when it ends). */
export interface DayLine {
  n: number;
  day: string;
}

export function dayLinesOf(text: string): DayLine[] {
  const byN = new Map<number, string>();
  for (const m of text.matchAll(/^Day (\d+): (\d{4}-\d{2}-\d{2})\b/gm)) {
    const n = Number(m[1]);
    if (!byN.has(n)) byN.set(n, m[2] as string);
  }
  return [...byN.entries()].sort(([a], [b]) => a - b).map(([n, day]) => ({ n, day }));
}

export interface RunLogVerdict {
  ok: boolean;
  detail: string;
}

/**
 * The run log spans a window when it has one Day line per day, numbered from Day 0 without
 * gaps, each dated Day 0 + N, and covers every day of `window` (first..last) when one is given.
 */
export function checkDayLines(
  lines: readonly DayLine[],
  minDays: number,
  window?: { first: string; last: string },
): RunLogVerdict {
  const first = lines[0];
  if (!first)
    return {
      ok: false,
      detail: "no Day lines (afk clock start writes Day 0; the runner appends one per day)",
    };
  if (first.n !== 0) return { ok: false, detail: `the first Day line is Day ${first.n}, not Day 0` };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as DayLine;
    if (l.n !== i) return { ok: false, detail: `Day ${i} is missing (the log jumps to Day ${l.n})` };
    const want = addDays(first.day, i);
    if (l.day !== want) return { ok: false, detail: `Day ${l.n} is dated ${l.day}, expected ${want}` };
  }
  const last = lines[lines.length - 1] as DayLine;
  const span = `Day 0 (${first.day}) … Day ${last.n} (${last.day})`;
  if (lines.length < minDays)
    return { ok: false, detail: `${span}: ${lines.length} days, need at least ${minDays}` };
  if (window && (daysBetween(first.day, window.first) < 0 || daysBetween(window.last, last.day) < 0))
    return {
      ok: false,
      detail: `${span} does not cover the unattended window ${window.first} … ${window.last}`,
    };
  return { ok: true, detail: `${span}, ${lines.length} days` };
}
