import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "../../src/cli/args.ts";
import { buildContext } from "../../src/cli/context.ts";
import type { Trigger } from "../../src/core/status.ts";
import { enqueue } from "../../src/deliver/outbox.ts";
import { type AfkChild, startAfk } from "../../src/evidence/afk-child.ts";
import { runTick } from "../../src/harness/tick.ts";
import type { TickSummary } from "../../src/harness/tick-row.ts";
import { defaultLinkCallers } from "../../src/models/link-callers.ts";
import type { AppContext } from "../../src/runner/app.ts";
import type { RunnerHandle } from "../../src/runner/handle.ts";
import { fetchSources } from "../../src/sources/index.ts";
import { latestSlot } from "../../src/spec/slots.ts";
import { afterTick } from "../../src/status/after-tick.ts";
import { sampleSources, tempHome, testDeps, writeSpec } from "../support/home.ts";
import { freePort } from "../support/net.ts";

/**
 * One AFK_HOME with two specs over the same sample feeds: `empty` asks for more items than
 * the feeds hold and names a required source that is missing (every tick fails: no value),
 * `value` delivers. Both write the same ledger.
 */
export function statusHome(env: Record<string, string> = {}, now = "2026-11-24T07:00:00Z", timezone = "UTC") {
  const h = tempHome("afk-status-");
  const t = testDeps(h.dir, env, now);
  const specs = {} as Record<"empty" | "value", string>;
  for (const [kind, minItems] of [
    ["empty", 100],
    ["value", 1],
  ] as const) {
    const dir = join(h.dir, `spec-${kind}`);
    mkdirSync(dir, { recursive: true });
    specs[kind] = writeSpec(dir, {
      // `empty` also names a required source that is not there: with too few items and a
      // required source down a tick fails (with healthy sources it would only be quiet)
      sources:
        kind === "empty"
          ? [...sampleSources(dir), { id: "gone", url: "feeds/gone.xml" }]
          : sampleSources(dir),
      minItems,
      extra: "watchdog:\n  no_value_ticks: 3",
    });
    writeFileSync(
      specs[kind],
      readFileSync(specs[kind], "utf8").replace("timezone: UTC", `timezone: ${timezone}`),
    );
  }
  const apps: AppContext[] = [];
  const app = (kind: "empty" | "value" = "value"): AppContext => {
    const a = buildContext(parseArgs(["status", "--spec", specs[kind]]), t.deps);
    apps.push(a);
    return a;
  };
  return {
    home: h.dir,
    ...t,
    specs,
    app,
    cleanup() {
      for (const a of apps) a.close();
      h.cleanup();
    },
  };
}

/** A real tick through the harness (extractive link, local feeds), then the afterTick hook. */
export async function tickAndHook(
  app: AppContext,
  trigger: Trigger = "schedule",
  timeouts = { pingMs: 2_000, alertMs: 2_000 },
): Promise<TickSummary> {
  const now = app.deps.clock.now();
  const summary = await runTick(
    { trigger, slot: latestSlot(app.loaded.spec, now), force: true },
    {
      loaded: app.loaded,
      db: app.db(),
      deps: app.deps,
      home: app.host.home,
      version: app.version,
      capMicros: app.capMicros,
      signal: new AbortController().signal,
      checkpoint: () => {},
      fetchSources,
      callers: defaultLinkCallers,
      enqueue,
    },
  );
  await afterTick({ app, summary, timeouts });
  return summary;
}

/** A RunnerHandle object whose state the test sets, recording stop requests. */
export function testHandle(
  state: { alive?: boolean; due?: { ok: true } | { ok: false; reason: string } } = {},
) {
  const stops: string[] = [];
  let stopped: (reason: string) => void = () => {};
  const firstStop = new Promise<string>((r) => {
    stopped = r;
  });
  const s = { alive: state.alive ?? true, due: state.due ?? ({ ok: true } as const) };
  const handle: RunnerHandle = {
    alive: () => s.alive,
    nextRun: () => new Date("2026-11-25T07:00:00Z"),
    lastDueSlotHandled: () => s.due,
    requestStop: (reason) => {
      stops.push(reason);
      s.alive = false;
      stopped(reason);
    },
  };
  return { handle, stops, state: s, firstStop };
}

/** A loopback receiver for alert notices and pings: records method, path, headers and body. */
export function receiver(opts: { hang?: boolean } = {}) {
  const seen: { method: string; path: string; title: string | null; body: string }[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      seen.push({
        method: req.method,
        path: url.pathname,
        title: req.headers.get("title"),
        body: await req.text(),
      });
      if (opts.hang) await new Promise(() => {});
      return new Response("ok");
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, seen, stop: () => server.stop(true) };
}

/**
 * A real `afk serve` of `spec` in `home`, its status page on a free loopback port (`env` on
 * top), killed with everything under it by the clean-up pushed to `cleanups`. Resolves once
 * the page is up, with its URL.
 */
export async function servePage(
  home: string,
  spec: string,
  env: Record<string, string>,
  cleanups: (() => void | Promise<void>)[],
): Promise<{ child: AfkChild; port: number; base: string }> {
  const port = freePort();
  const child = startAfk(["serve", "--spec", spec], {
    cwd: home,
    home,
    env: { AFK_STATUS_ADDR: `127.0.0.1:${port}`, ...env },
    stderr: "ignore",
  });
  cleanups.push(async () => {
    child.killTree();
    await child.exited;
  });
  const base = (await child.out.waitFor(/^status page: http/)).replace("status page: ", "").trim();
  return { child, port, base };
}
