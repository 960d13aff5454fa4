import type { Subprocess } from "bun";

/** A compiled `afk serve` under the bench, with its stdout readable line by line. */
export interface ServeProc {
  pid: number;
  /** Resolves with the first stdout line matching `re`; rejects when the process exits first. */
  waitForLine(re: RegExp): Promise<string>;
  stop(): Promise<number>;
}

export function startServe(bin: string, specPath: string, env: Record<string, string>): ServeProc {
  const proc: Subprocess<"ignore", "pipe", "pipe"> = Bun.spawn([bin, "serve", "--spec", specPath], {
    env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  let waiters: { re: RegExp; resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  const offer = (line: string) => {
    lines.push(line);
    const hit = waiters.filter((w) => w.re.test(line));
    waiters = waiters.filter((w) => !w.re.test(line));
    for (const w of hit) w.resolve(line);
  };
  (async () => {
    const decoder = new TextDecoder();
    let buf = "";
    const reader = proc.stdout.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      buf += decoder.decode(r.value, { stream: true });
      let i = buf.indexOf("\n");
      while (i >= 0) {
        offer(buf.slice(0, i));
        buf = buf.slice(i + 1);
        i = buf.indexOf("\n");
      }
    }
    const err = await new Response(proc.stderr).text();
    for (const w of waiters) w.reject(new Error(`bench: serve exited before '${w.re}': ${err.slice(-500)}`));
    waiters = [];
  })();
  return {
    pid: proc.pid,
    waitForLine(re) {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => waiters.push({ re, resolve, reject }));
    },
    async stop() {
      proc.kill("SIGTERM");
      return proc.exited;
    },
  };
}
