/** How a doctor check came out: `fail` makes `afk doctor` exit non-zero, `warn` does not. */
export const CHECK_STATES = ["ok", "warn", "fail"] as const;
export type CheckState = (typeof CHECK_STATES)[number];

export interface CheckResult {
  name: string;
  state: CheckState;
  detail: string;
  /** The command (or edit) that fixes it, for a person to run. */
  fix?: string;
}

export const ok = (name: string, detail: string): CheckResult => ({ name, state: "ok", detail });
export const warn = (name: string, detail: string, fix?: string): CheckResult => ({
  name,
  state: "warn",
  detail,
  ...(fix ? { fix } : {}),
});
export const fail = (name: string, detail: string, fix: string): CheckResult => ({
  name,
  state: "fail",
  detail,
  fix,
});

const LABEL: Record<CheckState, string> = { ok: "ok  ", warn: "warn", fail: "FAIL" };

/** What a person reads: one line per check, the fix under each that is not ok. */
export function renderChecks(results: readonly CheckResult[]): string[] {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`  ${LABEL[r.state]}  ${r.name.padEnd(width)}  ${r.detail}`);
    if (r.fix) lines.push(`  ${" ".repeat(4)}  ${" ".repeat(width)}  fix: ${r.fix}`);
  }
  const failed = results.filter((r) => r.state === "fail").length;
  const warned = results.filter((r) => r.state === "warn").length;
  lines.push(
    failed === 0
      ? `doctor: all required checks passed${warned ? ` (${warned} warning${warned > 1 ? "s" : ""})` : ""}`
      : `doctor: ${failed} required check${failed > 1 ? "s" : ""} failed`,
  );
  return lines;
}
