import { afterAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { StatusSnapshot } from "../../src/status/snapshot-view.ts";
import { sampleSources, tempHome, writeSpec } from "../support/home.ts";
import { servePage } from "./helpers.ts";

const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/**
 * Issue 16's sixth point on a real `afk serve`: at the moment the cap holds, the operator can open
 * the page, read that it is halted, why and when it resumes, and still use POST /kill.
 */
describe("a page while the cap holds", () => {
  test("serve halted by the cap keeps its page: the verdict says halted and when it resumes, and POST /kill stops it", async () => {
    const h = tempHome("afk-halted-page-");
    cleanups.push(h.cleanup);
    // a paid link priced so that one tick's worst case crosses a $0.0001 cap: the pre-flight halts
    // before any request (the link's server is never asked, so it can be a closed port)
    const spec = writeSpec(h.dir, {
      sources: sampleSources(h.dir),
      models: [
        '{ id: paid, kind: openai, base_url: "http://127.0.0.1:9/v1", model: "gpt-4o-mini", api_key_env: PAID_KEY, usd_per_mtok_in: 0.15, usd_per_mtok_out: 0.6, max_output_tokens: 800 }',
        "{ id: extractive, kind: extractive }",
      ],
    });
    const env = {
      AFK_KILL_FLAG: join(h.dir, "afk.kill"),
      SPEND_CAP_USD: "0.0001",
      PAID_KEY: "sk-never-sent",
      TICK_SECONDS: "3600",
      AFK_STATUS_TOKEN: "halted-page-token",
    };
    const { child, base } = await servePage(h.dir, spec, env, cleanups);
    const out = child.out;
    await out.waitFor(/^halted: spend cap reached; resumes by itself at /);

    const json = (await (await fetch(`${base}/status.json`)).json()) as StatusSnapshot;
    expect(json.verdict.verdict).toBe("halted");
    expect(json.verdict.reasons[0]?.code).toBe("cap_reached");
    expect(json.verdict.resumes?.at).toBe(json.hold.resumes_at);
    expect(json.verdict.resumes?.how).not.toContain("serve is not running"); // serve is up: nothing to start
    expect(json.serve.running).toBe(true);

    const html = await (await fetch(base)).text();
    expect(html).toMatch(/<section class="verdict v-halted" role="status"[^>]*><p><strong>halted<\/strong>/);
    expect(html).toContain("one more tick&#39;s worst-case cost would cross today&#39;s cap");
    expect(html).toContain(`<time datetime="${json.hold.resumes_at}"`);
    expect(html).toContain("none while the cap holds"); // the next run is not shown as happening
    expect((await fetch(`${base}/metrics`)).ok).toBe(true);

    const killed = await fetch(`${base}/kill`, {
      method: "POST",
      headers: { Authorization: `Bearer ${env.AFK_STATUS_TOKEN}` },
    });
    expect(killed.status).toBe(202);
    expect(await child.exited).toBe(0);
    expect(existsSync(env.AFK_KILL_FLAG)).toBe(true);
  }, 60_000);
});
