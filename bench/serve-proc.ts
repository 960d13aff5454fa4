import { startAfk } from "../src/evidence/afk-child.ts";

/** A compiled `afk serve` under the bench, with its stdout readable line by line. */
export interface ServeProc {
  pid: number;
  /** Resolves with the first stdout line matching `re`; rejects when the process exits first. */
  waitForLine(re: RegExp): Promise<string>;
  stop(): Promise<number>;
}

export function startServe(bin: string, specPath: string, env: Record<string, string>): ServeProc {
  const child = startAfk(["serve", "--spec", specPath], { launcher: [bin], env });
  return {
    pid: child.pid,
    waitForLine: (re) =>
      child.out.waitFor(re).catch(async () => {
        const err = await child.err.text();
        throw new Error(`bench: serve exited before '${re}': ${err.slice(-500)}`);
      }),
    async stop() {
      child.kill("SIGTERM");
      return child.exited;
    },
  };
}
