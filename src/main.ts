#!/usr/bin/env bun
import { run } from "./cli/run.ts";
import { clockFromEnv } from "./core/clock-env.ts";
import type { Deps } from "./core/deps.ts";

/**
 * A line writer that outlives its reader: when stdout is a pipe that closed (`afk status | head`)
 * or a log that went away, output stops but the command — and a running `serve` — goes on.
 */
function lineWriter(stream: NodeJS.WriteStream): (line: string) => void {
  let open = true;
  stream.on("error", () => {
    open = false;
  });
  return (line) => {
    if (!open) return;
    try {
      stream.write(`${line}\n`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EPIPE") throw err;
      open = false;
    }
  };
}

/** The only place that touches the process: argv, env, stdout/stderr, exit. */
const deps: Deps = {
  clock: clockFromEnv(process.env),
  fetch: globalThis.fetch,
  env: { ...process.env },
  home: process.cwd(),
  print: lineWriter(process.stdout),
  warn: lineWriter(process.stderr),
  pid: process.pid,
};

process.exitCode = await run(process.argv.slice(2), deps);
