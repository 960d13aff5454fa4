import { type Figure, median, round } from "./figure.ts";

function timeRun(cmd: string[], env: Record<string, string>): number {
  const t = performance.now();
  const r = Bun.spawnSync(cmd, { env, stdout: "pipe", stderr: "pipe" });
  const ms = performance.now() - t;
  if (r.exitCode !== 0)
    throw new Error(`bench: ${cmd.join(" ")} exited ${r.exitCode}: ${r.stderr.toString()}`);
  return ms;
}

/**
 * status_cold_vs_hello: wall time of `afk status` (compiled, a fresh process each time, on a
 * home with a ledger) ÷ that of a compiled hello-world, alternating runs so noise hits both.
 */
export function benchColdStart(
  bins: { afk: string; hello: string },
  specPath: string,
  env: Record<string, string>,
): Figure {
  const afk: number[] = [];
  const hello: number[] = [];
  const help: number[] = [];
  const statusCmd = [bins.afk, "status", "--spec", specPath];
  timeRun(statusCmd, env); // page cache warm for both: "cold" is the process, not the disk
  timeRun([bins.hello], env);
  for (let i = 0; i < 25; i++) {
    hello.push(timeRun([bins.hello], env));
    afk.push(timeRun(statusCmd, env));
    help.push(timeRun([bins.afk, "help"], env));
  }
  const a = median(afk);
  const h = median(hello);
  return {
    key: "status_cold_vs_hello",
    value: round(a / h, 2),
    unit: "×",
    goal: { op: "<=", target: 2 },
    note: `afk status ${round(a, 1)} ms ÷ hello ${round(h, 1)} ms (compiled, median of 25 alternating runs). Bound: \`afk help\` alone takes ${round(median(help), 1)} ms (the entry chunk and the stdout/stderr streams; commands load lazily); the rest is status's own work, most of it the cold spec parse — yaml's parser (~13 ms) and zod's schema construction and parse (~10 ms), interpreted once per process — then bun:sqlite, ledger open and snapshot`,
  };
}
