/**
 * The paid tier and the hard cap, end to end: real ticks (in process and as real `afk tick`
 * processes) against the OpenAI-compatible double, with the ledger file as the only judge.
 */
import { Database } from "bun:sqlite";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "../../src/cli/args.ts";
import { buildContext } from "../../src/cli/context.ts";
import { type OllamaDouble, startOllamaDouble } from "../../src/evidence/doubles/ollama-double.ts";
import {
  OPENAI_DOUBLE_KEY,
  type OpenAiDouble,
  startOpenAiDouble,
} from "../../src/evidence/doubles/openai-double.ts";
import { runTick } from "../../src/harness/tick.ts";
import { spendOnDay } from "../../src/ledger/ticks.ts";
import { tierOff } from "../../src/models/state.ts";
import {
  callsOf,
  eventsNamed,
  type Home,
  harnessFor,
  makeHome,
  startFreshFeed,
  traceOf,
} from "../models/fixtures.ts";
import { testDeps } from "../support/home.ts";

let paid: OpenAiDouble;
let ollama: OllamaDouble;
let feed: ReturnType<typeof startFreshFeed>;
let home: Home | undefined;

beforeAll(async () => {
  paid = await startOpenAiDouble();
  ollama = await startOllamaDouble();
  feed = startFreshFeed(4);
});
afterAll(async () => {
  await paid.stop();
  await ollama.stop();
  await feed.stop();
});
afterEach(() => {
  paid.setBehavior("*", undefined);
  paid.addKey(OPENAI_DOUBLE_KEY);
  home?.cleanup();
  home = undefined;
});

function setUp(o: Parameters<typeof makeHome>[0]): Home {
  home = makeHome(o);
  return home;
}

const chatsTo = (from: number) =>
  paid.requests.slice(from).filter((r) => r.path.endsWith("/chat/completions"));

/** A paid link at the double. Output at $100/Mtok and input free, so one call's worst case is exactly max_output_tokens × 100 µ$. */
const paidLink = (extra = "") =>
  `{ id: paid, kind: openai, base_url: "${paid.baseUrl}", model: "gpt-4o-mini", api_key_env: PAID_KEY, usd_per_mtok_in: 0, usd_per_mtok_out: 100, max_output_tokens: 1000${extra} }`;
const WORST_CASE = 1000 * 100;

describe("paid tier: a revoked key", () => {
  test("the 401 is absorbed, the tier is off for the day, the free links deliver, no value is lost", async () => {
    const h = setUp({
      models: [
        `{ id: paid, kind: openai, base_url: "${paid.baseUrl}", model: "gpt-4o-mini", api_key_env: PAID_KEY, usd_per_mtok_in: 0.15, usd_per_mtok_out: 0.6 }`,
        '{ id: local, kind: ollama, model: "qwen2.5:3b", retries: 0 }',
        "{ id: extractive, kind: extractive }",
      ],
      sources: [{ id: "fresh", url: feed.url }],
      env: { PAID_KEY: OPENAI_DOUBLE_KEY, OLLAMA_HOST: ollama.url },
    });
    const ctx = harnessFor(h);
    const from = paid.requests.length;

    const first = await runTick(
      { trigger: "manual", slot: new Date("2026-11-24T07:00:00Z"), force: false },
      ctx,
    );
    expect(first.status).toBe("ok");
    expect(first.model).toBe("paid");
    const [settled] = callsOf(h.db, first.tickId);
    expect(settled).toMatchObject({ link_id: "paid", state: "settled", outcome: "ok" });
    expect(settled?.cost_micros).toBe(
      Math.ceil((settled?.tokens_in ?? 0) * 0.15) + Math.ceil((settled?.tokens_out ?? 0) * 0.6),
    );
    expect(settled?.cost_micros).toBeLessThanOrEqual(settled?.reserved_micros ?? 0);

    paid.revokeKey(OPENAI_DOUBLE_KEY);
    h.clock.advance(60 * 60_000);
    const second = await runTick(
      { trigger: "manual", slot: new Date("2026-11-24T08:00:00Z"), force: false },
      ctx,
    );
    expect(second.status).toBe("degraded");
    expect(second.model).toBe("local");
    expect(second.valueMicros).toBe(first.valueMicros);
    expect(chatsTo(from).map((r) => r.status)).toEqual([200, 401]);
    const trace = traceOf(h, second);
    const call = trace.find((r) => r.name === "model.call" && r.attrs.link === "paid");
    expect(call?.attrs).toMatchObject({ outcome: "unauthorized", cost_micros: 0, attempt: 1 });
    expect(eventsNamed(trace, "model.tier_disabled")[0]?.attrs).toMatchObject({
      link: "paid",
      code: "unauthorized",
      day: "2026-11-24",
    });
    // A refused request costs nothing: settled at zero, and the reservation is released.
    expect(callsOf(h.db, second.tickId)[0]).toMatchObject({
      state: "settled",
      cost_micros: 0,
      outcome: "unauthorized",
    });

    h.clock.advance(60 * 60_000);
    const third = await runTick(
      { trigger: "manual", slot: new Date("2026-11-24T09:00:00Z"), force: false },
      ctx,
    );
    expect(third.status).toBe("degraded");
    expect(chatsTo(from)).toHaveLength(2);
    expect(eventsNamed(traceOf(h, third), "model.skipped")[0]?.attrs).toMatchObject({
      link: "paid",
      code: "tier_disabled",
    });

    // The next day the tier is tried again.
    paid.addKey(OPENAI_DOUBLE_KEY);
    h.clock.set("2026-11-25T07:00:00Z");
    const nextDay = await runTick(
      { trigger: "manual", slot: new Date("2026-11-25T07:00:00Z"), force: false },
      ctx,
    );
    expect(nextDay.model).toBe("paid");
    expect(chatsTo(from)).toHaveLength(3);

    // The key is never written anywhere afk writes.
    for (const file of [
      ...filesUnder(join(h.dir, "runs")),
      ...filesUnder(join(h.dir, "out")),
      join(h.dir, "ledger.sqlite"),
    ]) {
      expect(readFileSync(file).includes(OPENAI_DOUBLE_KEY)).toBe(false);
    }
  });
});

describe("paid tier: the day", () => {
  test("the tier stays off until midnight in the spec's time zone, not UTC's", async () => {
    const h = setUp({
      models: [paidLink(), "{ id: extractive, kind: extractive }"],
      sources: [{ id: "fresh", url: feed.url }],
      env: { PAID_KEY: OPENAI_DOUBLE_KEY },
      timezone: "America/New_York",
    });
    const ctx = harnessFor(h);
    const at = async (iso: string) => {
      h.clock.set(iso);
      const s = await runTick({ trigger: "manual", slot: new Date(iso), force: true }, ctx);
      return s.model;
    };
    paid.revokeKey(OPENAI_DOUBLE_KEY);
    expect(await at("2026-11-24T03:00:00Z")).toBe("extractive"); // 22:00 on the 23rd in New York
    paid.addKey(OPENAI_DOUBLE_KEY);
    expect(await at("2026-11-24T04:30:00Z")).toBe("extractive"); // past UTC midnight, still the 23rd there
    expect(await at("2026-11-24T05:30:00Z")).toBe("paid"); // 00:30 on the 24th in New York
    expect(tierOff(h.db, "paid", "2026-11-23")).toMatchObject({ code: "unauthorized" });
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

describe("the hard cap", () => {
  test("a cap with room for less than one worst-case call: the paid double receives no request", async () => {
    const h = setUp({
      models: [paidLink(), "{ id: extractive, kind: extractive }"],
      env: { PAID_KEY: OPENAI_DOUBLE_KEY },
    });
    const from = paid.requests.length;
    const s = await runTick(
      { trigger: "manual", slot: new Date("2026-11-24T07:00:00Z"), force: false },
      harnessFor(h, { capMicros: WORST_CASE - 1 }),
    );

    expect(chatsTo(from)).toHaveLength(0);
    expect(s.status).toBe("degraded");
    expect(s.model).toBe("extractive");
    const [refused] = eventsNamed(traceOf(h, s), "budget.refused");
    expect(refused?.attrs).toMatchObject({ link: "paid", spent_micros: 0, cap_micros: WORST_CASE - 1 });
    expect(Number(refused?.attrs.reserved_micros)).toBeGreaterThanOrEqual(WORST_CASE);
    expect(callsOf(h.db, s.tickId).filter((c) => c.kind === "openai")).toEqual([]);
  });

  test("spend earlier in the day counts: once the remainder is below a worst case, nothing is sent", async () => {
    const h = setUp({
      models: [paidLink(", retries: 0"), "{ id: extractive, kind: extractive }"],
      sources: [{ id: "fresh", url: feed.url }],
      env: { PAID_KEY: OPENAI_DOUBLE_KEY },
    });
    const from = paid.requests.length;
    const first = await runTick(
      { trigger: "manual", slot: new Date("2026-11-24T07:00:00Z"), force: false },
      harnessFor(h, { capMicros: 3 * WORST_CASE }),
    );
    expect(first.model).toBe("paid");
    const spent = spendOnDay(h.db, "2026-11-24");
    expect(spent).toBeGreaterThan(0);
    const [reserved] = callsOf(h.db, first.tickId);
    const cap = spent + (reserved?.reserved_micros ?? 0) - 1;

    const second = await runTick(
      { trigger: "manual", slot: new Date("2026-11-24T08:00:00Z"), force: false },
      harnessFor(h, { capMicros: cap }),
    );
    expect(chatsTo(from)).toHaveLength(1);
    expect(second.model).toBe("extractive");
    expect(spendOnDay(h.db, "2026-11-24")).toBe(spent);
    expect(eventsNamed(traceOf(h, second), "budget.refused")[0]?.attrs).toMatchObject({
      spent_micros: spent,
    });
  });

  test("four ticks racing in four processes for room for two calls: two requests, spend within the cap", async () => {
    // A feed with new items on every fetch, so each tick has value to deliver whatever the order.
    const h = setUp({
      models: [paidLink(", retries: 0"), "{ id: extractive, kind: extractive }"],
      sources: [{ id: "fresh", url: feed.url }],
    });
    const cap = WORST_CASE * 2.5;
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Every request that gets through is held, so no reservation is settled while the others decide.
    paid.setBehavior("*", { kind: "gated", until: gate });
    const from = paid.requests.length;
    const env = childEnv(h, { CAP_MICROS: String(cap), PAID_KEY: OPENAI_DOUBLE_KEY });
    const kids = [1, 2, 3, 4].map(() => spawnTick(h, env));

    await paid.waitForRequests(from + 2);
    const refused = await new Promise<typeof kids>((resolve) => {
      const done: typeof kids = [];
      for (const k of kids)
        k.exited.then(() => {
          done.push(k);
          if (done.length === 2) resolve(done);
        });
    });
    for (const k of refused)
      expect(await summaryOf(k)).toMatchObject({ status: "degraded", model: "extractive" });
    release();
    expect(await Promise.all(kids.map((k) => k.exited))).toEqual([0, 0, 0, 0]);
    for (const k of kids.filter((k) => !refused.includes(k)))
      expect(await summaryOf(k)).toMatchObject({ status: "ok", model: "paid" });

    expect(chatsTo(from)).toHaveLength(2);
    const db = new Database(join(h.dir, "ledger.sqlite"), { readonly: true });
    try {
      const day = callsOf(db)[0]?.day ?? "";
      expect(spendOnDay(db, day)).toBeLessThanOrEqual(cap);
      const paidCalls = callsOf(db).filter((c) => c.kind === "openai");
      expect(paidCalls.map((c) => c.state)).toEqual(["settled", "settled"]);
      const statuses = db.query<{ status: string }, []>("SELECT status FROM ticks").all();
      expect(statuses.map((s) => s.status).sort()).toEqual(["degraded", "degraded", "ok", "ok"]);
    } finally {
      db.close();
    }
  }, 30_000);

  test("a process killed between request and settlement: the next start charges the reservation in full", async () => {
    const h = setUp({
      models: [paidLink(", retries: 0"), "{ id: extractive, kind: extractive }"],
    });
    paid.setBehavior("*", { kind: "hang" });
    const from = paid.requests.length;
    const env = childEnv(h, { CAP_MICROS: String(5_000_000), PAID_KEY: OPENAI_DOUBLE_KEY });
    const child = spawnTick(h, env);
    await paid.waitForRequests(from + 1);

    // The reservation was committed before the request left: another connection sees it now.
    const peek = new Database(join(h.dir, "ledger.sqlite"), { readonly: true });
    const open = callsOf(peek).filter((c) => c.kind === "openai");
    peek.close();
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ state: "reserved", cost_micros: 0 });
    const reserved = open[0]?.reserved_micros ?? 0;
    expect(reserved).toBeGreaterThanOrEqual(WORST_CASE);

    child.kill("SIGKILL");
    expect(await child.exited).not.toBe(0);
    await paid.idle();

    // The next start: every command opens the ledger through buildContext, which closes crashed ticks.
    const { deps } = testDeps(h.dir, { AFK_HOME: h.dir }, new Date().toISOString());
    const app = buildContext(parseArgs(["tick", "--spec", h.specPath]), deps);
    app.db();
    app.close();

    const db = new Database(join(h.dir, "ledger.sqlite"), { readonly: true });
    try {
      const crashed = callsOf(db).find((c) => c.id === open[0]?.id);
      expect(crashed).toMatchObject({ state: "charged_full", cost_micros: reserved, outcome: "crashed" });
      const tick = db
        .query<{ status: string }, [string]>("SELECT status FROM ticks WHERE id = ?")
        .get(crashed?.tick_id ?? "");
      expect(tick?.status).toBe("crashed");
      const day = crashed?.day ?? "";
      expect(spendOnDay(db, day)).toBe(reserved);
    } finally {
      db.close();
    }
  }, 20_000);
});

function childEnv(h: Home, extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: h.dir,
    AFK_HOME: h.dir,
    OLLAMA_HOST: "http://127.0.0.1:9",
    ...extra,
  };
}

/** A real process running one real tick on the home's ledger file. */
function spawnTick(h: Home, env: Record<string, string>) {
  return Bun.spawn([process.execPath, join(import.meta.dir, "../models/tick-child.ts"), h.specPath], {
    cwd: h.dir,
    env,
    stdout: "pipe",
    stderr: "pipe",
  });
}

async function summaryOf(
  child: ReturnType<typeof spawnTick>,
): Promise<{ status: string; model: string | null }> {
  const out = await new Response(child.stdout).text();
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}");
}
