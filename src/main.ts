#!/usr/bin/env bun
import { run } from "./cli/run.ts";
import type { Clock } from "./core/clock.ts";
import { clockFromEnv } from "./core/clock-env.ts";
import type { Deps } from "./core/deps.ts";
import { AfkError } from "./core/errors.ts";

/** The process clock; a bad AFK_CLOCK_START/AFK_CLOCK_SCALE is one line and exit 2, before anything runs. */
function processClock(): Clock {
  try {
    return clockFromEnv(process.env);
  } catch (err) {
    if (!(err instanceof AfkError)) throw err;
    console.error(err.message);
    process.exit(err.exitCode);
  }
}

/**
 * The only place that touches the process: argv, env, stdout/stderr, exit.
 *
 * Lines go out through `console.log`/`console.error`: Bun writes them straight to the file
 * descriptor, and a pipe that closed (`afk status | head`) or a log that went away only ends the
 * output — the command, and a running `serve`, go on. The first touch of `process.stdout` costs a
 * cold start 4–5 ms and importing `node:fs` for `writeSync` ~1 ms; this path costs what a compiled
 * hello-world's does. A single string argument is printed as it is (no `%` formatting).
 */
const deps: Deps = {
  clock: processClock(),
  fetch: globalThis.fetch,
  env: { ...process.env },
  cwd: process.cwd(),
  print: (line) => console.log(line),
  warn: (line) => console.error(line),
  pid: process.pid,
};

process.exitCode = await run(process.argv.slice(2), deps);
