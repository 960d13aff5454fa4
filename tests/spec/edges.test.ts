import { Database } from "bun:sqlite";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/run.ts";
import { runAfk } from "../../src/evidence/afk-child.ts";
import {
  OPENAI_DOUBLE_KEY,
  type OpenAiDouble,
  startOpenAiDouble,
} from "../../src/evidence/doubles/openai-double.ts";
import { openAiChat } from "../../src/models/openai-http.ts";
import { ModelLinkSchema, type OpenAiLinkSpec } from "../../src/spec/schema.ts";
import { REPO, sampleSources, tempHome, testDeps, writeSpec } from "../support/home.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function home(): string {
  const h = tempHome("afk-edges-");
  cleanups.push(h.cleanup);
  return h.dir;
}

/** Runs `afk status` on a spec; the exit code and stderr. */
async function status(dir: string, spec: string, env: Record<string, string> = {}) {
  const t = testDeps(dir, env);
  const code = await run(["status", "--spec", spec], t.deps);
  return { code, err: t.err.join("\n"), out: t.out };
}

function specWith(dir: string, edit: (text: string) => string): string {
  const path = writeSpec(dir, { sources: sampleSources(dir) });
  writeFileSync(path, edit(readFileSync(path, "utf8")));
  return path;
}

describe("runaway cadences are refused at load", () => {
  test.each([
    ["0 7 31 2 *", "cadence: never fires"],
    ["* * * * * *", "cadence: fires every 1 s, more often than the minimum of 60 s"],
    ["*/10 * * * *", null],
    ["0,1 7 * * *", null],
  ])("cadence %p", async (cadence, message) => {
    const dir = home();
    const spec = specWith(dir, (t) => t.replace('cadence: "0 7 * * *"', `cadence: "${cadence}"`));
    const r = await status(dir, spec);
    if (message === null) expect(r.code).toBe(0);
    else {
      expect(r.code).toBe(2);
      expect(r.err).toContain(`line 3: ${message}`);
    }
  });

  test("limits.min_interval_seconds lets a spec ask for a faster cadence, explicitly", async () => {
    const dir = home();
    const spec = specWith(dir, (t) =>
      t
        .replace('cadence: "0 7 * * *"', 'cadence: "*/5 * * * * *"')
        .replace("\n---\n\nTest spec.", "\nlimits:\n  min_interval_seconds: 5\n---\n\nTest spec."),
    );
    expect((await status(dir, spec)).code).toBe(0);
  });

  test("TICK_SECONDS is bounded: 0.001 is exit 2 naming the bound", async () => {
    const dir = home();
    const r = await status(
      dir,
      specWith(dir, (t) => t),
      { TICK_SECONDS: "0.001" },
    );
    expect(r.code).toBe(2);
    expect(r.err).toBe("environment: TICK_SECONDS: '0.001' is not a number of seconds from 1 to 86400");
  });
});

describe("sources outside the spec's folder or on other schemes are refused at load", () => {
  test.each([
    ["file:///etc/passwd", "file file:///etc/passwd is outside the spec's folder"],
    ["/etc/passwd", "file /etc/passwd is outside the spec's folder"],
    ["../../x", "file ../../x is outside the spec's folder"],
    ["gopher://example.org/feed", "scheme 'gopher:' is not allowed"],
  ])("url %p: exit 2 naming the field and its line, nothing written", async (url, message) => {
    const dir = home();
    const spec = specWith(dir, (t) => t.replace('"url":"feeds/bun-blog.atom"', `"url":"${url}"`));
    const r = await status(dir, spec);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`line 13: sources[1].url: ${message}`);
    expect(readdirSync(dir).sort()).toEqual(["SPEC.md", "feeds"]);
  });

  test("a backup outside the folder is refused too", async () => {
    const dir = home();
    const spec = specWith(dir, (t) =>
      t.replace('"url":"feeds/bun-blog.atom"', '"url":"feeds/bun-blog.atom","backup":"/etc/passwd"'),
    );
    const r = await status(dir, spec);
    expect(r.code).toBe(2);
    expect(r.err).toContain("sources[1].backup: file /etc/passwd is outside the spec's folder");
  });
});

describe("bad input is one clear line and exit 2, never a stack", () => {
  test("a YAML alias bomb", async () => {
    const dir = home();
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...["b", "c", "d", "e", "f", "g"].map(
        (k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdefg"[i]}`).join(",")}]`,
      ),
    ].join("\n");
    const spec = specWith(dir, (t) => t.replace("name: test-digest", `name: test-digest\n${bomb}`));
    const r = await status(dir, spec);
    expect(r.code).toBe(2);
    expect(r.err).toContain("YAML: Excessive alias count");
    expect(r.err).not.toContain("    at ");
  });

  test("SPEND_CAP_USD=abc says what it must be", async () => {
    const dir = home();
    const r = await status(
      dir,
      specWith(dir, (t) => t),
      { SPEND_CAP_USD: "abc" },
    );
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      "environment: SPEND_CAP_USD: 'abc' is not a positive amount in US dollars (e.g. 5 or 0.50)",
    );
  });

  test.each([
    ["AFK_CLOCK_START", "yesterday", "environment: AFK_CLOCK_START: 'yesterday' is not an ISO time"],
    ["AFK_CLOCK_SCALE", "fast", "environment: AFK_CLOCK_SCALE: 'fast' is not a positive number"],
    ["AFK_CLOCK_SCALE", "-1", "environment: AFK_CLOCK_SCALE: '-1' is not a positive number"],
  ])("%s=%p: the real process exits 2 with one line", async (name, value, line) => {
    const dir = home();
    const { code, err } = await runAfk(["status"], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, AFK_HOME: dir, [name]: value },
    });
    expect(code).toBe(2);
    expect(err.trim().split("\n")).toHaveLength(1);
    expect(err).toStartWith(line);
  });
});

describe("source and model URLs", () => {
  let paid: OpenAiDouble;
  beforeAll(async () => {
    paid = await startOpenAiDouble();
  });
  afterAll(async () => {
    await paid.stop();
  });

  test("a base_url with a query string keeps it after the path (…/v1/chat/completions?api-version=…)", async () => {
    const link = ModelLinkSchema.parse({
      id: "paid",
      kind: "openai",
      base_url: `${paid.baseUrl}?api-version=2024-06-01`,
      model: "gpt-4o-mini",
      api_key_env: "PAID_KEY",
    }) as OpenAiLinkSpec;
    const r = await openAiChat(
      link,
      { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
      { fetch, apiKey: OPENAI_DOUBLE_KEY, signal: new AbortController().signal, now: () => new Date() },
    );
    expect(paid.requests.at(-1)?.path).toBe("/v1/chat/completions");
    expect(r.kind).toBe("reply");
  });

  test("a password in a source URL is never stored in plain text (source_health.validators_url)", async () => {
    const dir = home();
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () =>
        new Response(readFileSync(join(REPO, "spec", "feeds", "bun-blog.atom")), {
          headers: { "content-type": "application/atom+xml", etag: '"v1"' },
        }),
    });
    cleanups.push(() => server.stop(true));
    const url = `http://reader:hunter2-s3cret@127.0.0.1:${server.port}/feed`;
    const spec = writeSpec(dir, { sources: [{ id: "private", url }] });
    const t = testDeps(dir);
    await run(["tick", "--spec", spec], t.deps);
    const db = new Database(join(dir, "ledger.sqlite"), { readonly: true });
    cleanups.push(() => db.close());
    const row = db.query<{ validators_url: string }, []>("SELECT validators_url FROM source_health").get();
    expect(row?.validators_url).toBe(`http://reader:redacted@127.0.0.1:${server.port}/feed`);
    expect(existsSync(join(dir, "ledger.sqlite"))).toBe(true);
    const everything = readFileSync(join(dir, "ledger.sqlite")).toString("latin1");
    expect(everything).not.toContain("hunter2-s3cret");
  });
});
