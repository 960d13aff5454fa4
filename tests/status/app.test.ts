import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/cli/run.ts";
import { createStatusApp } from "../../src/status/app.tsx";
import { checkBearer } from "../../src/status/auth.ts";
import { statusHome, testHandle, tickAndHook } from "./helpers.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function setup(env: Record<string, string> = {}) {
  const h = statusHome(env);
  cleanups.push(h.cleanup);
  const app = h.app("value");
  const runner = testHandle();
  return { h, app, runner, web: createStatusApp({ app, handle: runner.handle }) };
}

describe("status page routes (app.request, no port)", () => {
  test("GET / is HTML with the facts, a strict CSP, nosniff, and no script", async () => {
    const { h, app, web } = setup();
    const s = await tickAndHook(app);
    const res = await web.request("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain("script-src");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await res.text();
    expect(html).toStartWith("<!DOCTYPE html><html");
    expect(html).toContain(s.tickId);
    expect(html).toContain(s.tracePath);
    expect(html).toContain("<svg");
    expect(html).not.toContain("<script");
    expect(html).not.toMatch(/\ssrc=|<link|<img|<iframe/); // no asset of any kind; digest links are plain anchors
    expect(html).toContain("sqlite-news"); // source health table
    expect(html).toContain('class="digest"');
    expect(h.err).toEqual([]);
  });

  test("GET /status.json is the same object as afk status --json", async () => {
    const { h, app, web } = setup();
    await tickAndHook(app);
    const page = (await (await web.request("/status.json")).json()) as Record<string, unknown>;
    h.out.length = 0;
    expect(await run(["status", "--json", "--spec", h.specs.value], h.deps)).toBe(0);
    const cli = JSON.parse(h.out.join("\n")) as Record<string, unknown>;
    for (const key of ["today", "last_tick", "kill", "cap", "next_run", "alert"])
      expect(page).toHaveProperty(key);
    // the CLI has no runner in its process (and this test's runner has no session row): everything else is the same truth
    const apart = { runner: null, next_run: null, serve: null };
    expect({ ...cli, ...apart }).toEqual({ ...page, ...apart });
    expect(page.verdict).toEqual({ verdict: "delivering", reasons: [], resumes: null });
    expect(page.runner).toEqual({ alive: true, last_due_slot: { ok: true, reason: null } });
  });

  test("GET /healthz: 200 when alive and the last due slot handled, 503 with the reason otherwise", async () => {
    const { app, web, runner } = setup();
    expect((await web.request("/healthz")).status).toBe(200);
    runner.state.due = { ok: false, reason: "slot 2026-11-24T07:00:00.000Z has no closed row" };
    const missed = await web.request("/healthz");
    expect(missed.status).toBe(503);
    expect(await missed.text()).toBe("slot 2026-11-24T07:00:00.000Z has no closed row");
    runner.state.due = { ok: true };
    runner.state.alive = false;
    const stopped = await web.request("/healthz");
    expect(stopped.status).toBe(503);
    expect(await stopped.text()).toBe("runner stopped");
    const none = await createStatusApp({ app, handle: null }).request("/healthz");
    expect(none.status).toBe(503);
  });

  test("GET /metrics is Prometheus text with ticks by status, money, cap and source failures", async () => {
    const { app, web } = setup();
    await tickAndHook(app);
    const res = await web.request("/metrics");
    expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const text = await res.text();
    expect(text).toContain('afk_ticks_total{status="ok"} 1');
    expect(text).toContain('afk_ticks_total{status="failed"} 0');
    expect(text).toContain("afk_value_usd_total 2.5");
    expect(text).toContain("afk_value_today_usd 2.5");
    expect(text).toContain("afk_cap_usd 5");
    expect(text).toMatch(/afk_last_success_timestamp_seconds \d{10}\n/);
    expect(text).toContain('afk_source_consecutive_failures{source="sqlite-news"} 0');
    expect(text).toContain("afk_runner_up 1");
  });

  test("GET /metrics passes promtool check metrics", async () => {
    const promtool = Bun.which("promtool");
    if (!promtool) {
      console.warn("SKIPPED promtool check: promtool not installed (apt-get install -y prometheus)");
      return;
    }
    const { app, web } = setup();
    await tickAndHook(app);
    await tickAndHook(app); // a second tick: failed (items already delivered) so several statuses count
    const text = await (await web.request("/metrics")).text();
    const p = Bun.spawn([promtool, "check", "metrics"], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    p.stdin.write(text);
    await p.stdin.end();
    const [code, out, err] = await Promise.all([
      p.exited,
      new Response(p.stdout).text(),
      new Response(p.stderr).text(),
    ]);
    expect(`${out}${err}`.trim()).toBe("");
    expect(code).toBe(0);
  });
});

describe("POST /kill", () => {
  test("no token configured: 401, no flag, the runner is not stopped", async () => {
    const { app, web, runner } = setup();
    const res = await web.request("/kill", { method: "POST", headers: { Authorization: "Bearer anything" } });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("AFK_STATUS_TOKEN is not set");
    await new Promise((r) => setTimeout(r, 0)); // the app asks for a stop one macrotask after replying
    expect(existsSync(app.host.killFlag)).toBe(false);
    expect(runner.stops).toEqual([]);
  });

  test("wrong or missing token: 401 with WWW-Authenticate, nothing changes", async () => {
    const { app, web, runner } = setup({ AFK_STATUS_TOKEN: "s3cret-token" });
    const attempts: Record<string, string>[] = [
      {},
      { Authorization: "Bearer s3cret-tokeN" },
      { Authorization: "Bearer s3cret-token-longer" },
      { Authorization: "Basic s3cret-token" },
    ];
    for (const headers of attempts) {
      const res = await web.request("/kill", { method: "POST", headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      expect(await res.text()).not.toContain("s3cret");
    }
    await new Promise((r) => setTimeout(r, 0)); // the app asks for a stop one macrotask after replying
    expect(existsSync(app.host.killFlag)).toBe(false);
    expect(runner.stops).toEqual([]);
    expect((await web.request("/kill")).status).toBe(404); // GET never kills
  });

  test("the right token: 202, the flag exists and the runner was asked to stop", async () => {
    const { app, web, runner } = setup({ AFK_STATUS_TOKEN: "s3cret-token" });
    const res = await web.request("/kill", {
      method: "POST",
      headers: { Authorization: "Bearer s3cret-token" },
    });
    expect(res.status).toBe(202);
    expect(existsSync(app.host.killFlag)).toBe(true);
    expect(await runner.firstStop).toBe("kill requested via POST /kill"); // asked right after the response
    expect(runner.stops).toEqual(["kill requested via POST /kill"]);
    const status = (await (await web.request("/status.json")).json()) as { kill: { present: boolean } };
    expect(status.kill.present).toBe(true);
  });

  test("checkBearer compares whole tokens only", () => {
    expect(checkBearer("Bearer abc", "abc")).toEqual({ ok: true });
    expect(checkBearer("bearer abc ", "abc")).toEqual({ ok: true });
    expect(checkBearer("Bearer ab", "abc")).toEqual({ ok: false, reason: "wrong" });
    expect(checkBearer(undefined, "abc")).toEqual({ ok: false, reason: "missing" });
    expect(checkBearer("Bearer abc", undefined)).toEqual({ ok: false, reason: "no_token_configured" });
  });
});

describe("reads beyond loopback", () => {
  const beyond = {
    AFK_STATUS_ADDR: "0.0.0.0:8787",
    AFK_STATUS_TOKEN: "kill-token-1",
    AFK_STATUS_READ_TOKEN: "read-token-1",
  };
  const basic = (password: string) => `Basic ${Buffer.from(`anyone:${password}`).toString("base64")}`;

  test("every route but /healthz needs a token: 401 with a Basic challenge, no data in the body", async () => {
    const { app, web } = setup(beyond);
    await tickAndHook(app);
    for (const path of ["/", "/status.json", "/metrics", "/digests.atom", "/nope"]) {
      const attempts: Record<string, string>[] = [
        {},
        { Authorization: "Bearer wrong" },
        { Authorization: basic("wrong") },
      ];
      for (const headers of attempts) {
        const res = await web.request(path, { headers });
        expect(res.status).toBe(401);
        expect(res.headers.get("www-authenticate")).toContain('Basic realm="afk"');
        const body = await res.text();
        expect(body).not.toContain("sqlite-news");
        expect(body).not.toContain("token-1");
      }
    }
    expect((await web.request("/healthz")).status).toBe(200);
  });

  test("the kill token and the read token both read, as Bearer or as a browser's Basic password", async () => {
    const { app, web } = setup(beyond);
    await tickAndHook(app);
    for (const auth of [
      "Bearer kill-token-1",
      "Bearer read-token-1",
      basic("read-token-1"),
      basic("kill-token-1"),
    ]) {
      const res = await web.request("/status.json", { headers: { Authorization: auth } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { spec: { name: string } }).spec.name).toBe(app.loaded.spec.name);
    }
    const metrics = await web.request("/metrics", { headers: { Authorization: "Bearer read-token-1" } });
    expect(await metrics.text()).toContain("afk_halted 0");
  });

  test("the read token cannot kill", async () => {
    const { app, web, runner } = setup(beyond);
    const res = await web.request("/kill", {
      method: "POST",
      headers: { Authorization: "Bearer read-token-1" },
    });
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 0)); // the app asks for a stop one macrotask after replying
    expect(existsSync(app.host.killFlag)).toBe(false);
    expect(runner.stops).toEqual([]);
  });

  test("on loopback reads stay open, as before", async () => {
    const { web } = setup({ AFK_STATUS_ADDR: "127.0.0.1:8787" });
    expect((await web.request("/status.json")).status).toBe(200);
  });
});

describe("no secret on any page", () => {
  test("env values (token, alert and ping URLs, API keys) never appear in /, /status.json or /metrics", async () => {
    const secrets = {
      AFK_STATUS_TOKEN: "tok-7f3a9c",
      AFK_ALERT_URL: "http://127.0.0.1:9/topic-4b1d",
      AFK_PING_URL: "http://127.0.0.1:9/ping-8e2c",
      OPENAI_API_KEY: "sk-test-5d6e",
    };
    const { app, web } = setup(secrets);
    await tickAndHook(app, "schedule", { pingMs: 200, alertMs: 200 });
    for (const path of ["/", "/status.json", "/metrics"]) {
      const body = await (await web.request(path)).text();
      for (const v of Object.values(secrets)) expect(body).not.toContain(v);
    }
  });

  test("a digest path outside out/ is never read", async () => {
    const { app, web } = setup();
    await tickAndHook(app);
    const outside = join(mkdtempSync(join(tmpdir(), "afk-outside-")), "secret.md");
    writeFileSync(outside, "TOP-SECRET-CONTENT");
    app.db().run("UPDATE ticks SET out_path = ?", [outside]);
    const html = await (await web.request("/")).text();
    expect(html).not.toContain("TOP-SECRET-CONTENT");
  });
});
