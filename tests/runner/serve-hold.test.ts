import { afterEach, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startAfk } from "../../src/evidence/afk-child.ts";
import { sampleSources, tempHome, writeSpec } from "../support/home.ts";
import { freePort } from "../support/net.ts";
import { childEnv } from "./helpers.ts";

/**
 * The supervisor contract on a real `afk serve` process: at the cap and on the kill flag it
 * does not exit — the page, /healthz and POST /kill stay alive — and it says when it resumes.
 */

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const TOKEN = "hold-token-7c1";

function startServe(models?: string[]) {
  const h = tempHome("afk-serve-hold-");
  cleanups.push(h.cleanup);
  const spec = writeSpec(h.dir, {
    sources: sampleSources(h.dir),
    minItems: 1,
    ...(models ? { models } : {}),
  });
  const port = freePort();
  const child = startAfk(["serve", "--spec", spec], {
    cwd: h.dir,
    env: childEnv(h.dir, {
      TICK_SECONDS: "1",
      AFK_STATUS_ADDR: `127.0.0.1:${port}`,
      AFK_STATUS_TOKEN: TOKEN,
      SPEND_CAP_USD: "0.01",
      PAID_KEY: "sk-hold-test",
    }),
    stderr: "ignore",
  });
  cleanups.push(child.killTree);
  const out = child.out;
  const base = `http://127.0.0.1:${port}`;
  const json = async (path: string) =>
    (await fetch(`${base}${path}`)).json() as Promise<Record<string, unknown>>;
  return { h, child, out, base, json };
}

describe("afk serve holds ticks, not the process", () => {
  test("at the cap: halted, still serving /healthz, /status.json and /metrics with when it resumes; POST /kill still stops it", async () => {
    // One tick's worst-case paid cost is over the $0.01 cap: the pre-flight halts every slot today.
    const s = startServe([
      '{ id: paid, kind: openai, base_url: "http://127.0.0.1:9/v1", model: "m", api_key_env: PAID_KEY, usd_per_mtok_in: 150, usd_per_mtok_out: 600, max_output_tokens: 1200 }',
      "{ id: extractive, kind: extractive }",
    ]);
    const halted = await s.out.waitFor(/^halted: spend cap reached; resumes by itself at \S+$/);
    await s.out.waitFor(/^tick \S+ \[schedule .*\]: halted_cap/); // a later slot: still up, still refusing
    expect(s.child.exitCode).toBeNull();
    expect(s.out.lines).toContain("Spend cap reached — halting.");
    const health = await fetch(`${s.base}/healthz`);
    expect(health.status).toBe(200);
    const status = (await s.json("/status.json")) as { hold: { halted: boolean; resumes_at: string } };
    expect(status.hold.halted).toBe(true);
    // TICK_SECONDS=1: the first slot of the next UTC day is its midnight.
    const midnight = new Date(Math.floor(Date.now() / 86_400_000 + 1) * 86_400_000).toISOString();
    expect(status.hold.resumes_at).toBe(midnight);
    expect(halted).toContain(midnight);
    expect(await (await fetch(`${s.base}/metrics`)).text()).toMatch(/^afk_halted 1$/m);
    const kill = await fetch(`${s.base}/kill`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(kill.status).toBe(202);
    expect(await s.child.exited).toBe(0);
  }, 60_000);

  test("the kill flag: stopped, page alive; removing it (afk arm) resumes the next slot in the same process", async () => {
    const s = startServe();
    await s.out.waitFor(/^tick \S+ \[(catchup|schedule) /);
    writeFileSync(join(s.h.dir, "afk.kill"), "");
    await s.out.waitFor(/^stopped: kill flag .* present; serve stays up, afk arm resumes$/);
    await s.out.waitFor(/^tick \S+ \[schedule .*\]: refused_kill/);
    expect((await fetch(`${s.base}/healthz`)).status).toBe(200);
    const status = (await s.json("/status.json")) as { hold: { stopped: boolean } };
    expect(status.hold.stopped).toBe(true);
    rmSync(join(s.h.dir, "afk.kill"));
    await s.out.waitFor(/^resumed: ticks run again$/);
    expect(s.child.exitCode).toBeNull();
    s.child.kill("SIGTERM");
    expect(await s.child.exited).toBe(0);
  }, 60_000);
});
