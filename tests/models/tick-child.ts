/**
 * A real process that runs one real tick (`runTick`, the default link callers) on the ledger in
 * AFK_HOME, for tests that need two processes racing on one SQLite file or a process killed
 * mid-call. It prints the tick's summary as JSON. It bypasses the runner's guards and overlap
 * lock on purpose: the cap must hold at the call, whatever the runner does.
 *
 * usage: bun tests/models/tick-child.ts <spec path>   (env: AFK_HOME, CAP_MICROS, the key, OLLAMA_HOST)
 */

import { join } from "node:path";
import { systemClock } from "../../src/core/clock.ts";
import type { Deps } from "../../src/core/deps.ts";
import { enqueue } from "../../src/deliver/outbox.ts";
import { runTick } from "../../src/harness/tick.ts";
import { openDatabase } from "../../src/ledger/db.ts";
import { defaultLinkCallers } from "../../src/models/link-callers.ts";
import { fetchSources } from "../../src/sources/index.ts";
import { loadSpecFile } from "../../src/spec/load.ts";
import { latestSlot } from "../../src/spec/slots.ts";

const specPath = process.argv[2];
const home = process.env.AFK_HOME;
const cap = Number(process.env.CAP_MICROS);
if (!specPath || !home || !Number.isInteger(cap))
  throw new Error("usage: AFK_HOME=… CAP_MICROS=… bun tick-child.ts <spec>");

const loaded = loadSpecFile(specPath);
const db = openDatabase(join(home, "ledger.sqlite"));
const deps: Deps = {
  clock: systemClock,
  fetch: globalThis.fetch,
  env: { ...process.env },
  cwd: home,
  print: (l) => process.stdout.write(`${l}\n`),
  warn: (l) => process.stderr.write(`${l}\n`),
  pid: process.pid,
};
const summary = await runTick(
  { trigger: "manual", slot: latestSlot(loaded.spec, deps.clock.now()), force: true },
  {
    loaded,
    db,
    deps,
    home,
    version: "test",
    capMicros: cap,
    signal: new AbortController().signal,
    checkpoint: () => {},
    fetchSources,
    callers: defaultLinkCallers,
    enqueue,
  },
);
db.close();
deps.print(JSON.stringify(summary));
