/** What a finished child process left behind. */
export interface Finished {
  exitCode: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion; behind an interface so the factory reads as plain TypeScript. */
export type Spawn = (
  cmd: readonly string[],
  opts: { cwd: string; env: Record<string, string | undefined>; stdin?: string },
) => Promise<Finished>;

/** The real thing: Bun.spawn, output collected, awaited to exit. */
export const bunSpawn: Spawn = async (cmd, opts) => {
  const started = performance.now();
  const proc = Bun.spawn([...cmd], {
    cwd: opts.cwd,
    env: opts.env,
    stdin: opts.stdin === undefined ? "ignore" : new Blob([opts.stdin]),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { exitCode, stdout, stderr, ms: Math.round(performance.now() - started) };
};
