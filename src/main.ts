#!/usr/bin/env bun
import { run } from "./cli/run.ts";
import type { Clock } from "./core/clock.ts";
import { clockFromEnv } from "./core/clock-env.ts";
import type { Deps } from "./core/deps.ts";
import { AfkError } from "./core/errors.ts";

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

/** The process clock; a bad AFK_CLOCK_START/AFK_CLOCK_SCALE is one line and exit 2, before anything runs. */
function processClock(): Clock {
  try {
    return clockFromEnv(process.env);
  } catch (err) {
    if (!(err instanceof AfkError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(err.exitCode);
  }
}

/** The only place that touches the process: argv, env, stdout/stderr, exit. */
const deps: Deps = {
  clock: processClock(),
  fetch: globalThis.fetch,
  env: { ...process.env },
  home: process.cwd(),
  print: lineWriter(process.stdout),
  warn: lineWriter(process.stderr),
  pid: process.pid,
};

process.exitCode = await run(process.argv.slice(2), deps);
