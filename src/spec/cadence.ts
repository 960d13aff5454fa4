import { Cron } from "croner";

/** The shortest interval between two slots a spec may ask for, unless `limits.min_interval_seconds` says less. */
export const DEFAULT_MIN_INTERVAL_SECONDS = 60;

/** How many upcoming slots are looked at to find a cadence's shortest interval (a day and more of any pattern). */
const SAMPLE = 500;

export type CadenceProblem = { kind: "invalid" } | { kind: "never" } | { kind: "too_often"; seconds: number };

/**
 * Checks a croner pattern: it parses, it fires at all (`0 7 31 2 *` never does), and no two of its
 * next slots are closer than `minSeconds`. Null when it is fine.
 */
export function cadenceProblem(
  pattern: string,
  minSeconds: number,
  from = new Date(),
): CadenceProblem | null {
  let runs: Date[];
  try {
    runs = new Cron(pattern, { paused: true, timezone: "UTC" }).nextRuns(SAMPLE, from);
  } catch {
    return { kind: "invalid" };
  }
  if (runs.length === 0) return { kind: "never" };
  let shortest = Number.POSITIVE_INFINITY;
  for (let i = 1; i < runs.length; i++)
    shortest = Math.min(shortest, ((runs[i] as Date).getTime() - (runs[i - 1] as Date).getTime()) / 1000);
  return shortest < minSeconds ? { kind: "too_often", seconds: shortest } : null;
}

export function describeCadenceProblem(p: CadenceProblem, minSeconds: number): string {
  switch (p.kind) {
    case "invalid":
      return "must be a valid cron pattern (croner)";
    case "never":
      return "never fires (no date matches it): fix the day and month fields";
    case "too_often":
      return `fires every ${p.seconds} s, more often than the minimum of ${minSeconds} s (set limits.min_interval_seconds to allow it)`;
    default: {
      const never: never = p;
      return never;
    }
  }
}
