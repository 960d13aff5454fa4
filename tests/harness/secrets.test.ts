import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "../../src/cli/args.ts";
import { buildContext } from "../../src/cli/context.ts";
import { run } from "../../src/cli/run.ts";
import {
  type OpenAiBehavior,
  type OpenAiDouble,
  startOpenAiDouble,
} from "../../src/evidence/doubles/openai-double.ts";
import { createStatusApp } from "../../src/status/app.tsx";
import { sampleSources, tempHome, testDeps, writeSpec } from "../support/home.ts";

/** A key as a provider issues it; the tests look for it without its prefix, and for pieces of it. */
const KEY = "sk-proj-Zq8RtY4mWx2Lk9Vb7Nc3Hd6Fg1Js5Pa0";
const BARE = KEY.slice(3); // echoed without the `sk-` a prefix-matching redactor looks for
const PIECE = KEY.slice(14, 26); // 12 characters from the middle

let paid: OpenAiDouble;
beforeAll(async () => {
  paid = await startOpenAiDouble({ keys: [KEY] });
});
afterAll(async () => {
  await paid.stop();
});
const cleanups: (() => void)[] = [];
afterEach(() => {
  paid.setBehavior("*", undefined);
  for (const c of cleanups.splice(0).reverse()) c();
});

/** Every file under `dir`, as text (the ledger and its WAL as bytes read as latin1). */
function everyFile(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name !== "SPEC.md") out.set(p, readFileSync(p).toString("latin1"));
    }
  };
  walk(dir);
  return out;
}

function leaks(text: string): string[] {
  return [BARE, PIECE, KEY.slice(8, 16)].filter((s) => text.includes(s));
}

const ECHO: OpenAiBehavior = {
  kind: "error",
  status: 500,
  message: `upstream refused key ${BARE} (fragment ${PIECE})`,
};
const DRAFT_LINK: OpenAiBehavior = {
  kind: "reply",
  content: JSON.stringify({
    title: `digest ${PIECE}`,
    entries: [{ link: `https://evil.example/x?k=${BARE}`, summary: `key ${BARE}` }],
  }),
};

describe("secrets are redacted by value at every sink", () => {
  test.each([
    ["a provider failing with the key echoed without its prefix, and a piece of it", ECHO],
    ["a draft whose link and summary carry the key", DRAFT_LINK],
  ])(
    "%s: nothing of the key in the ledger, traces, out/, stdout, stderr, afk status or the page",
    async (_, behavior) => {
      const h = tempHome("afk-secrets-");
      cleanups.push(h.cleanup);
      const spec = writeSpec(h.dir, {
        sources: sampleSources(h.dir),
        minItems: 1,
        models: [
          `{ id: paid, kind: openai, base_url: "${paid.baseUrl}", model: "gpt-4o-mini", api_key_env: PAID_KEY, usd_per_mtok_in: 0.15, usd_per_mtok_out: 0.6, max_output_tokens: 800, retries: 0 }`,
          "{ id: extractive, kind: extractive }",
        ],
      });
      const t = testDeps(h.dir, { PAID_KEY: KEY });
      paid.setBehavior("*", behavior);
      const asked = paid.requests.length;
      expect(await run(["tick", "--spec", spec], t.deps)).toBe(0);
      expect(paid.requests.length).toBeGreaterThan(asked);

      // Something was recorded where the key would have gone, redacted.
      const files = everyFile(h.dir);
      expect([...files.values()].join("\n")).toContain("[redacted]");

      // stdout and stderr of the tick, afk status, incidents, trace; every file in AFK_HOME.
      const st = testDeps(h.dir, { PAID_KEY: KEY });
      expect(await run(["status", "--spec", spec], st.deps)).toBe(0);
      expect(await run(["incidents", "--spec", spec], st.deps)).toBe(0);
      expect(await run(["trace"], st.deps)).toBe(0);
      const outputs = [...t.out, ...t.err, ...st.out, ...st.err].join("\n");
      expect({ leaks: leaks(outputs) }).toEqual({ leaks: [] });
      for (const [path, text] of files) expect({ path, leaks: leaks(text) }).toEqual({ path, leaks: [] });

      // The page and its JSON.
      const app = buildContext(parseArgs(["serve", "--spec", spec]), testDeps(h.dir, { PAID_KEY: KEY }).deps);
      cleanups.push(() => app.close());
      const web = createStatusApp({ app, handle: null });
      for (const path of ["/", "/status.json"]) {
        const body = await (await web.request(path)).text();
        expect({ path, leaks: leaks(body) }).toEqual({ path, leaks: [] });
      }
    },
  );
});
