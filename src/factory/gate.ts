import type { Finished, Spawn } from "./spawn.ts";

/** The seam suite every binary must pass before it is compiled (run with the bun that builds). */
export function seamGate(bun: string): readonly string[] {
  return [bun, "test", "tests/seams"];
}

/** Set in the gate's environment, so a seam test that builds cannot start a gate inside a gate. */
export const GATE_ENV = "AFK_BUILD_GATE";

export interface GateResult {
  command: readonly string[];
  passed: boolean;
  exitCode: number;
  /** `bun test`'s counts, when it printed them. */
  pass: number | undefined;
  fail: number | undefined;
  /** e.g. `Ran 12 tests across 4 files. [1.30s]`, or the last output line. */
  summary: string;
  ms: number;
  /** The end of the output, for the build record. */
  tail: string[];
}

function count(output: string, word: "pass" | "fail"): number | undefined {
  const m = new RegExp(`^\\s*(\\d+) ${word}$`, "m").exec(output);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** Reads a finished `bun test` run: red when it exited non-zero, failed a test, or ran none. */
export function readGate(command: readonly string[], done: Finished): GateResult {
  const output = `${done.stdout}\n${done.stderr}`;
  const lines = output.split("\n").filter((l) => l.trim() !== "");
  const pass = count(output, "pass");
  const fail = count(output, "fail");
  const ran = lines.findLast((l) => /^Ran \d+ tests?/.test(l));
  return {
    command,
    passed: done.exitCode === 0 && (fail ?? 0) === 0 && (pass === undefined || pass > 0),
    exitCode: done.exitCode,
    pass,
    fail,
    summary: ran ?? lines.at(-1) ?? "(no output)",
    ms: done.ms,
    tail: lines.slice(-40),
  };
}

/** Runs the gate command from the source tree. */
export async function runGate(
  command: readonly string[],
  spawn: Spawn,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<GateResult> {
  const done = await spawn(command, { cwd, env: { ...env, [GATE_ENV]: "1" } });
  return readGate(command, done);
}

/** One line for a person: `12 pass, 0 fail — Ran 12 tests across 4 files. [1.30s]`. */
export function describeGate(g: GateResult): string {
  const counts = g.pass === undefined ? `exit ${g.exitCode}` : `${g.pass} pass, ${g.fail ?? 0} fail`;
  return `${counts} — ${g.summary}`;
}
