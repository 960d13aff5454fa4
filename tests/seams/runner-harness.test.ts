import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "../../src/cli/args.ts";
import { buildContext } from "../../src/cli/context.ts";
import { run } from "../../src/cli/run.ts";
import { startAfk } from "../../src/evidence/afk-child.ts";
import { startOllamaDouble } from "../../src/evidence/doubles/ollama-double.ts";
import { CAP_LINE, KILL_LINE } from "../../src/runner/guard.ts";
import {
  childEnv,
  runnerSpec,
  spentEarlierToday,
  startHoldingFeed,
  startInProcessRunner,
  ticksIn,
} from "../runner/helpers.ts";
import { sampleSources, tempHome, testDeps, writeSpec } from "../support/home.ts";

/** Seam 3 (runner ↔ harness): the cap and the kill flag are checked before any work. */

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function home() {
  const h = tempHome("afk-seam-runner-");
  cleanups.push(h.cleanup);
  return h.dir;
}

function outFiles(dir: string): string[] {
  return existsSync(join(dir, "out")) ? readdirSync(join(dir, "out")) : [];
}

describe("the guard before every tick", () => {
  test("the lab's test: the ledger reports 999 spent and the cap is 1 → halted, exit 3, nothing produced, no model asked", async () => {
    const dir = home();
    const ollama = await startOllamaDouble();
    const feed = startHoldingFeed();
    cleanups.push(() => ollama.stop(), feed.stop);
    const spec = runnerSpec(dir, feed.url, {
      models: ['{ id: primary, kind: ollama, model: "llama3.1:8b" }', "{ id: extractive, kind: extractive }"],
    });
    const t = testDeps(dir, { SPEND_CAP_USD: "1", OLLAMA_HOST: ollama.url }, "2026-11-24T07:00:00Z");
    // 999 USD already spent today, as a settled paid call of an earlier tick.
    const app = buildContext(parseArgs(["tick", "--spec", spec]), t.deps);
    spentEarlierToday(app.db(), 999_000_000);
    app.close();

    const code = await run(["tick", "--spec", spec], t.deps);

    expect(code).toBe(3);
    expect(t.out).toContain(CAP_LINE);
    expect(outFiles(dir)).toEqual([]);
    expect(ollama.requests).toHaveLength(0);
    expect(feed.received()).toBe(0);
    const rows = ticksIn(dir);
    expect(rows.map((r) => r.status)).toEqual(["ok", "halted_cap"]);
    expect(rows[1]?.reason).toContain("$999.00");
  });

  test("a cap below one tick's worst-case paid cost halts before the tick starts (pre-flight)", async () => {
    const dir = home();
    const feed = startHoldingFeed();
    cleanups.push(feed.stop);
    const spec = runnerSpec(dir, feed.url, {
      models: [
        '{ id: paid, kind: openai, base_url: "http://127.0.0.1:9/v1", model: "m", api_key_env: "K", usd_per_mtok_in: 150, usd_per_mtok_out: 600, max_output_tokens: 1200 }',
        "{ id: extractive, kind: extractive }",
      ],
    });
    const t = testDeps(dir, { SPEND_CAP_USD: "0.01" });
    const code = await run(["tick", "--spec", spec], t.deps);
    expect(code).toBe(3);
    expect(t.out).toContain(CAP_LINE);
    expect(ticksIn(dir)[0]?.reason).toContain("pre-flight");
    expect(feed.received()).toBe(0);
  });

  test("the kill flag present → refused, exit 0, nothing fetched or produced", async () => {
    const dir = home();
    const feed = startHoldingFeed();
    cleanups.push(feed.stop);
    const spec = runnerSpec(dir, feed.url);
    const t = testDeps(dir);
    writeFileSync(join(dir, "afk.kill"), "");
    const code = await run(["tick", "--spec", spec], t.deps);
    expect(code).toBe(0);
    expect(t.out[0]).toBe(KILL_LINE);
    expect(ticksIn(dir).map((r) => r.status)).toEqual(["refused_kill"]);
    expect(outFiles(dir)).toEqual([]);
    expect(feed.received()).toBe(0);
  });

  test("the kill flag created mid-tick → the fetch in flight is aborted, closed killed", async () => {
    const dir = home();
    const feed = startHoldingFeed();
    cleanups.push(feed.stop, feed.release);
    const spec = runnerSpec(dir, feed.url);
    const t = testDeps(dir);
    feed.hold(); // never released: only the flag can end this tick before the source's 60 s timeout
    const ticking = run(["tick", "--spec", spec], t.deps);
    await feed.waitForRequests(1); // the tick is inside its fetch step
    writeFileSync(join(dir, "afk.kill"), "");
    expect(await ticking).toBe(0);
    const [row] = ticksIn(dir);
    expect(row?.status).toBe("killed");
    expect(row?.reason).toContain("appeared; the work in flight was aborted");
    expect(outFiles(dir)).toEqual([]);
  });
});

describe("one tick at a time", () => {
  test("two processes started for the same slot → one tick and one skipped_overlap", async () => {
    const dir = home();
    const feed = startHoldingFeed();
    cleanups.push(feed.stop);
    const spec = runnerSpec(dir, feed.url);
    const spawn = () => startAfk(["tick", "--cron", "--spec", spec], { env: childEnv(dir) });
    feed.hold();
    const first = spawn();
    await feed.waitForRequests(1); // the first holds the lock, mid-fetch
    const second = spawn();
    const secondRun = await second.result();
    expect(secondRun.code).toBe(0);
    expect(secondRun.out).toContain("skipped_overlap");
    feed.release();
    expect(await first.exited).toBe(0);

    const rows = ticksIn(dir);
    expect(rows.map((r) => r.status).sort()).toEqual(["ok", "skipped_overlap"]);
    expect(rows[0]?.slot).toBe(rows[1]?.slot as string);
    expect(rows.every((r) => r.trigger === "schedule")).toBe(true);
    expect(feed.received()).toBe(1);
  });
});

describe("catch-up", () => {
  test("slots missed while the host was down → one catch-up tick for the latest, the missed ones recorded", async () => {
    const dir = home();
    const spec = writeSpec(dir, { sources: sampleSources(dir) });
    writeFileSync(spec, readFileSync(spec, "utf8").replace('"0 7 * * *"', '"0 * * * *"'));
    const t = testDeps(dir, {}, "2026-11-24T07:00:00Z");

    const serveOnce = async () => {
      let waits = 0;
      const runner = startInProcessRunner({
        spec,
        deps: t.deps,
        waitUntil(_at, r) {
          waits++;
          r.requestStop("test: stop at the first sleep");
        },
      });
      const outcome = await runner.done;
      return { outcome, waits };
    };

    const first = await serveOnce(); // up at 07:00: serves the 07:00 slot
    expect(first.waits).toBe(1);
    t.clock.set("2026-11-24T11:20:00Z"); // down from 07:00 to 11:20: 08, 09, 10 and 11 missed
    await serveOnce();

    const rows = ticksIn(dir);
    const catchups = rows.filter((r) => r.trigger === "catchup" && r.started_at.startsWith("2026-11-24T11"));
    expect(catchups).toHaveLength(1);
    expect(catchups[0]?.slot).toBe("2026-11-24T11:00:00.000Z");
    const app = buildContext(parseArgs(["serve", "--spec", spec]), t.deps);
    const rec = app
      .db()
      .query<{ missed_count: number; missed_first: string; missed_last: string }, [string]>(
        "SELECT missed_count, missed_first, missed_last FROM runner_catchups WHERE tick_id = ?",
      )
      .get(catchups[0]?.id as string);
    app.close();
    expect(rec).toEqual({
      missed_count: 4,
      missed_first: "2026-11-24T08:00:00.000Z",
      missed_last: "2026-11-24T11:00:00.000Z",
    });
  });
});
