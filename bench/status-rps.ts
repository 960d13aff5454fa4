import { join } from "node:path";
import { parseArgs } from "../src/cli/args.ts";
import { buildContext } from "../src/cli/context.ts";
import { systemClock } from "../src/core/clock.ts";
import { lastTick } from "../src/ledger/ticks.ts";
import { REPO_ROOT } from "../src/soak/child.ts";
import { statusSnapshot } from "../src/status/snapshot.ts";
import { snapshotSource } from "../src/status/snapshot-cache.ts";
import { type Figure, median, round } from "./figure.ts";

/**
 * What /status.json costs in-process: a rebuild of the snapshot, `lastTick` (once its dearest
 * query), and a request served from the last build (its inputs read, nothing changed).
 */
function snapshotCost(
  home: string,
  spec: string,
): { snapshotMs: number; lastTickMs: number; cachedMs: number } {
  const app = buildContext(parseArgs(["status", "--spec", spec]), {
    clock: systemClock,
    fetch: globalThis.fetch,
    env: { HOME: home, AFK_HOME: home, AFK_KILL_FLAG: join(home, "afk.kill") },
    cwd: home,
    print: () => {},
    warn: () => {},
    pid: process.pid,
  });
  try {
    const db = app.db();
    const time = (fn: () => unknown) =>
      median(
        Array.from({ length: 30 }, () => {
          const t = performance.now();
          fn();
          return performance.now() - t;
        }),
      );
    const cached = snapshotSource({ app, handle: null });
    return {
      snapshotMs: time(() => statusSnapshot({ app, db, handle: null })),
      lastTickMs: time(() => lastTick(db)),
      cachedMs: time(cached),
    };
  } finally {
    app.close();
  }
}

import { startServe } from "./serve-proc.ts";
import { writeBenchSpec } from "./serve-rss.ts";

/**
 * status_json_rps: GET /status.json on a compiled serve whose ledger holds 100,000 ticks,
 * driven for 5 s by a separate client process with 32 keep-alive connections.
 */
export async function benchStatusRps(
  bin: string,
  home: string,
  env: Record<string, string>,
): Promise<Figure> {
  const spec = writeBenchSpec(
    home,
    "0 0 1 1 *",
    ["http://127.0.0.1:9/feed"],
    ["{ id: extractive, kind: extractive }"],
  );
  const cost = snapshotCost(home, spec);
  const serve = startServe(bin, spec, { ...env, HOME: home, AFK_HOME: home, AFK_STATUS_ADDR: "127.0.0.1:0" });
  try {
    const line = await serve.waitForLine(/^status page: /);
    const url = `${line.replace(/^status page: /, "").trim()}/status.json`;
    const probe = await fetch(url);
    if (!probe.ok) throw new Error(`bench: ${url} answered ${probe.status}`);
    const bytes = (await probe.arrayBuffer()).byteLength;
    const client = Bun.spawn(["bun", join(REPO_ROOT, "bench", "load.ts"), url, "5", "32"], {
      stdout: "pipe",
      stderr: "inherit",
    });
    const out = JSON.parse(await new Response(client.stdout).text()) as {
      requests: number;
      seconds: number;
      errors: number;
    };
    return {
      key: "status_json_rps",
      value: Math.round(out.requests / out.seconds),
      unit: "req/s",
      goal: { op: ">=", target: 5000 },
      note: `${out.requests} requests in ${round(out.seconds, 1)} s (${out.errors} errors), ${bytes} B each, 100,000 ticks (1,440 today) in the ledger; client and server share the machine. Bound: the snapshot is rebuilt only when the ledger, the kill flag, the alert file, the runner or the clock's second changes (${round(cost.snapshotMs, 2)} ms in-process, of which lastTick() ${round(cost.lastTickMs, 3)} ms); any other request reads those inputs and re-serves the last build (${round(cost.cachedMs * 1000, 1)} µs), the rest is HTTP and JSON`,
    };
  } finally {
    await serve.stop();
  }
}
