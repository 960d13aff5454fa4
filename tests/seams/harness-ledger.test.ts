import { Database } from "bun:sqlite";
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/run.ts";
import { startAfk } from "../../src/evidence/afk-child.ts";
import type { TickRow } from "../../src/ledger/ticks.ts";
import { sampleSources, tempHome, testDeps, writeSpec } from "../support/home.ts";

/** Seam 4 (harness ↔ ledger): every way a tick can end leaves exactly one closed row. */

/** A loopback server that answers 503, or holds every request open until released. */
function feedServer(mode: "503" | "hold") {
  let release: () => void = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  let seen: () => void = () => {};
  const firstRequest = new Promise<void>((r) => {
    seen = r;
  });
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch() {
      seen();
      if (mode === "503") return new Response("busy", { status: 503 });
      await held;
      return new Response("<rss/>");
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/feed.xml`,
    firstRequest,
    release,
    stop: () => server.stop(true),
  };
}

/** A port nothing listens on: bind one, then free it. */
function closedPort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = s.port as number;
  s.stop(true);
  return port;
}

function rows(home: string): TickRow[] {
  const db = new Database(join(home, "ledger.sqlite"), { readonly: true });
  try {
    return db.query<TickRow, []>("SELECT * FROM ticks ORDER BY started_at, rowid").all();
  } finally {
    db.close();
  }
}

const homes: (() => void)[] = [];
afterAll(() => {
  for (const c of homes) c();
});
let home: string;
/** The first two sample feeds (5 items), copied beside each test's spec. */
let goodSources: { id: string; url: string }[];
beforeEach(() => {
  const h = tempHome();
  homes.push(h.cleanup);
  home = h.dir;
  goodSources = sampleSources(home).slice(0, 2);
});

async function tick(specPath: string, env: Record<string, string> = {}, extra: string[] = []) {
  const t = testDeps(home, env);
  const code = await run(["tick", "--spec", specPath, ...extra], t.deps);
  return { code, ...t };
}

describe("seam harness ↔ ledger: one closed row per tick", () => {
  test("ok: a chain that succeeds writes the digest and one ok row with its value", async () => {
    const spec = writeSpec(home, { sources: goodSources, minItems: 3 });
    const r = await tick(spec);
    expect(r.code).toBe(0);
    const all = rows(home);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      status: "ok",
      trigger: "manual",
      value_micros: 2_500_000,
      model: "extractive",
    });
    const out = readdirSync(join(home, "out")).filter((f) => f.endsWith(".md"));
    expect(out).toEqual(["test-digest-2026-11-24-0700.md"]);
    expect(readFileSync(join(home, "out", out[0] as string), "utf8")).toContain(
      "## [SQLite 3.51.0 released]",
    );
  });

  test("degraded: every Ollama model down → extractive delivers, the trace shows each hand-over", async () => {
    const spec = writeSpec(home, {
      sources: goodSources,
      models: [
        '{ id: primary, kind: ollama, model: "llama3.1:8b", retries: 0 }',
        '{ id: fallback, kind: ollama, model: "qwen2.5:3b", retries: 0 }',
        "{ id: extractive, kind: extractive }",
      ],
    });
    const r = await tick(spec, { OLLAMA_HOST: `http://127.0.0.1:${closedPort()}` });
    expect(r.code).toBe(0);
    const [row, ...rest] = rows(home);
    expect(rest).toHaveLength(0);
    expect(row).toMatchObject({ status: "degraded", model: "extractive" });
    expect(row?.value_micros).toBeGreaterThan(0);
    const trace = readFileSync(join(home, row?.trace_path as string), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const handovers = trace
      .filter((t) => t.name === "model.fallback")
      .map((t) => `${t.attrs.from}→${t.attrs.to}`);
    expect(handovers).toEqual(["primary→fallback", "fallback→extractive"]);
  });

  test("failed: every source down → no digest, one failed row saying why", async () => {
    const srv = feedServer("503");
    try {
      const spec = writeSpec(home, {
        sources: [
          { id: "down", url: srv.url, timeout_s: 2 },
          { id: "missing", url: join(home, "no-such-feed.xml") },
        ],
      });
      const r = await tick(spec);
      expect(r.code).toBe(1);
      const all = rows(home);
      expect(all).toHaveLength(1);
      expect(all[0]?.status).toBe("failed");
      expect(all[0]?.reason).toContain("every source failed");
      expect(all[0]?.value_micros).toBe(0);
      expect(existsSync(join(home, "out")) ? readdirSync(join(home, "out")) : []).toEqual([]);
    } finally {
      srv.stop();
    }
  });

  test("skipped_done: a slot already delivered is skipped with its own row; --force runs it again", async () => {
    const spec = writeSpec(home, { sources: goodSources });
    await tick(spec);
    await tick(spec);
    expect(rows(home).map((r) => r.status)).toEqual(["ok", "skipped_done"]);
    // --force: the items were delivered already, so the rerun has nothing new from healthy
    // sources → quiet (no value, no failure), honestly
    await tick(spec, {}, ["--force"]);
    const statuses = rows(home).map((r) => r.status);
    expect(statuses).toHaveLength(3);
    expect(statuses[2]).toBe("quiet");
    expect(rows(home)[2]?.reason).toContain("new items");
  });

  test("crashed: a tick's process SIGKILLed mid-tick leaves a running row; the next start closes it crashed", async () => {
    const srv = feedServer("hold");
    try {
      mkdirSync(home, { recursive: true });
      const spec = writeSpec(home, { sources: [{ id: "slow", url: srv.url, timeout_s: 60 }] });
      const child = startAfk(["tick", "--spec", spec], {
        env: { ...process.env, AFK_HOME: home, HOME: home, AFK_KILL_FLAG: join(home, "afk.kill") },
        stdout: "ignore",
        stderr: "ignore",
      });
      await srv.firstRequest; // the child is inside its fetch step now
      expect(rows(home).map((r) => r.status)).toEqual(["running"]);
      child.kill("SIGKILL");
      expect(await child.exited).not.toBe(0);
      expect(rows(home).map((r) => r.status)).toEqual(["running"]);

      srv.release();
      const next = writeSpec(home, { sources: goodSources });
      await tick(next);
      const all = rows(home);
      expect(all).toHaveLength(2);
      const killed = all.find((r) => r.pid === child.pid);
      expect(killed?.status).toBe("crashed");
      expect(killed?.ended_at).not.toBeNull();
      expect(all.filter((r) => r.status === "running")).toHaveLength(0);
    } finally {
      srv.release();
      srv.stop();
    }
  });
});

describe("the lab's query over the ledger view", () => {
  test("sqlite3 prints ticks|usd_in|value_out after one tick", async () => {
    const spec = writeSpec(home, { sources: goodSources });
    await tick(spec);
    const sql =
      "SELECT count(*) ticks, round(sum(usd_in),4) usd_in, round(sum(value_usd),2) value_out FROM ledger WHERE ts >= '2026-06-01'";
    const db = new Database(join(home, "ledger.sqlite"), { readonly: true });
    const row = db.query(sql).get();
    db.close();
    expect(row).toEqual({ ticks: 1, usd_in: 0, value_out: 2.5 });
    if (Bun.which("sqlite3")) {
      const p = Bun.spawnSync(["sqlite3", join(home, "ledger.sqlite"), sql]);
      expect(p.stdout.toString().trim()).toBe("1|0.0|2.5");
    }
  });
});
