#!/usr/bin/env bun
import { run } from "./cli/run.ts";
import { clockFromEnv } from "./core/clock-env.ts";
import type { Deps } from "./core/deps.ts";

/** The only place that touches the process: argv, env, stdout/stderr, exit. */
const deps: Deps = {
  clock: clockFromEnv(process.env),
  fetch: globalThis.fetch,
  env: { ...process.env },
  home: process.cwd(),
  print: (line) => process.stdout.write(`${line}\n`),
  warn: (line) => process.stderr.write(`${line}\n`),
  pid: process.pid,
};

process.exitCode = await run(process.argv.slice(2), deps);
