import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "../../src/cli/args.ts";
import { buildContext } from "../../src/cli/context.ts";
import { enqueue } from "../../src/deliver/outbox.ts";
import { runTick } from "../../src/harness/tick.ts";
import type { TickSummary } from "../../src/harness/tick-row.ts";
import { defaultLinkCallers } from "../../src/models/link-callers.ts";
import type { AppContext } from "../../src/runner/app.ts";
import { fetchSources } from "../../src/sources/index.ts";
import { latestSlot } from "../../src/spec/slots.ts";
import { afterTick } from "../../src/status/after-tick.ts";
import { tempHome, testDeps, writeSpec } from "../support/home.ts";

/** An RSS file with `n` items, ids `prefix-1…n`; a later call with a new prefix adds fresh items. */
export function writeFeed(dir: string, items: { id: string; title: string }[]): void {
  mkdirSync(join(dir, "feeds"), { recursive: true });
  const body = items
    .map(
      (i) =>
        `<item><title>${i.title}</title><link>https://example.org/${i.id}</link><guid>${i.id}</guid><description>About ${i.title}.</description><pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate></item>`,
    )
    .join("");
  writeFileSync(
    join(dir, "feeds", "news.xml"),
    `<?xml version="1.0"?><rss version="2.0"><channel><title>News &amp; notes</title><link>https://example.org/</link><description>d</description>${body}</channel></rss>`,
  );
}

/**
 * An AFK_HOME whose spec delivers to `sinks` (YAML flow maps, one per line) from one local feed
 * of three items. Deps use a manual clock at 07:00 UTC, the spec's slot.
 */
export function deliverHome(sinks: string[], env: Record<string, string> = {}, extra = "") {
  const h = tempHome("afk-deliver-");
  const t = testDeps(h.dir, env, "2026-11-24T07:00:00Z");
  const dir = join(h.dir, "spec");
  mkdirSync(dir, { recursive: true });
  writeFeed(dir, [
    { id: "a1", title: "Why 1 &lt; 2 &amp;&amp; 3 &gt; 2" },
    { id: "a2", title: "Second item" },
    { id: "a3", title: "Third item" },
  ]);
  const lines = sinks.length ? ["deliver:", ...sinks.map((s) => `  - ${s}`)] : [];
  const spec = writeSpec(dir, {
    sources: [{ id: "news", url: "feeds/news.xml" }],
    minItems: 1,
    extra: [...lines, extra].filter(Boolean).join("\n"),
  });
  const apps: AppContext[] = [];
  const app = (): AppContext => {
    const a = buildContext(parseArgs(["tick", "--spec", spec]), t.deps);
    apps.push(a);
    return a;
  };
  return {
    home: h.dir,
    specDir: dir,
    spec,
    ...t,
    app,
    cleanup() {
      for (const a of apps) a.close();
      h.cleanup();
    },
  };
}

/** A real tick through the harness for the clock's slot, then the after-tick hook (which delivers). */
export async function tickAndDeliver(app: AppContext, force = false): Promise<TickSummary> {
  const summary = await runTick(
    { trigger: "manual", slot: latestSlot(app.loaded.spec, app.deps.clock.now()), force },
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
  await afterTick({ app, summary, timeouts: { pingMs: 2_000, alertMs: 2_000 } });
  return summary;
}
