/**
 * A small model's imperfect draft, through a real tick (`runTick`, sample feeds, the real
 * `ollama` client over loopback): the bad entries are repaired and the model's value lands,
 * degraded; only a draft with too few good entries left goes to the next link.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  echoDraftFromPrompt,
  type JsonObject,
  type OllamaDouble,
  startOllamaDouble,
} from "../../src/evidence/doubles/ollama-double.ts";
import { runTick } from "../../src/harness/tick.ts";
import { callsOf, eventsNamed, type Home, harnessFor, makeHome, traceOf } from "./fixtures.ts";

let ollama: OllamaDouble;
let home: Home | undefined;
beforeAll(async () => {
  ollama = await startOllamaDouble();
});
afterAll(async () => {
  await ollama.stop();
});
afterEach(() => {
  ollama.setBehavior("llama3.1:8b", undefined);
  home?.cleanup();
  home = undefined;
});

const slot = new Date("2026-11-24T07:00:00Z");
const INVENTED = { link: "https://made-up.example/story", summary: "A story no feed carried." };
const KEPT = "The first sentence says what is new.";
const MORE = "Then the model keeps going well past the bound it was given.";
const LONG = [KEPT, ...Array(12).fill(MORE)].join(" ");
/** The longest run of whole sentences within the spec's 400 chars. */
const fitting = Math.floor((400 - KEPT.length) / (MORE.length + 1));
const CUT = [KEPT, ...Array(fitting).fill(MORE)].join(" ");

/** The echo draft, spoiled the way small models spoil drafts. */
function spoiled(spoil: (entries: { link: string; summary: string }[]) => unknown[]) {
  return (body: JsonObject) => {
    const draft = JSON.parse(echoDraftFromPrompt(body)) as {
      title: string;
      entries: { link: string; summary: string }[];
    };
    return JSON.stringify({ ...draft, entries: spoil(draft.entries) });
  };
}

function setUp(): Home {
  home = makeHome({
    models: [
      '{ id: primary, kind: ollama, model: "llama3.1:8b", retries: 0 }',
      '{ id: fallback, kind: ollama, model: "qwen2.5:3b", retries: 0 }',
      "{ id: extractive, kind: extractive }",
    ],
    env: { OLLAMA_HOST: ollama.url },
  });
  return home;
}

describe("repairing a model's draft in a tick", () => {
  test("an invented link and an over-long summary are repaired: the primary's digest lands, degraded, each repair traced", async () => {
    const h = setUp();
    ollama.setBehavior("llama3.1:8b", {
      kind: "reply",
      content: spoiled(([first, second, ...rest]) => [
        INVENTED,
        first,
        { link: second?.link, summary: LONG },
        ...rest,
      ]),
    });
    const from = ollama.requests.length;
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));

    expect(s.status).toBe("degraded");
    expect(s.model).toBe("primary");
    expect(s.reason).toBe("draft of primary repaired: 1 entry dropped, 1 summary cut");
    expect(s.valueMicros).toBeGreaterThan(0);
    expect(ollama.requests.slice(from).map((r) => (r.body as { model: string }).model)).toEqual([
      "llama3.1:8b",
    ]);
    expect(callsOf(h.db, s.tickId).map((c) => [c.link_id, c.outcome])).toEqual([["primary", "ok"]]);

    const md = readFileSync(join(h.dir, s.outPath ?? "missing"), "utf8");
    expect(md).toContain("written by primary (llama3.1:8b)");
    expect(md).not.toContain("made-up.example");
    expect(CUT.length).toBeLessThanOrEqual(400);
    expect(`${CUT} ${MORE}`.length).toBeGreaterThan(400);
    expect(md).toContain(`\n\n${CUT}\n\n`);

    const repairs = eventsNamed(traceOf(h, s), "draft.repair").map((e) => e.attrs);
    expect(repairs).toEqual([
      expect.objectContaining({
        link: "primary",
        what: "entry_dropped",
        entry: 0,
        entry_link: INVENTED.link,
        why: "link not among the candidates",
      }),
      expect.objectContaining({
        link: "primary",
        what: "summary_cut",
        entry: 2,
        why: `summary too long (${LONG.length} > 400 chars): cut at a sentence end to ${CUT.length}`,
      }),
    ]);
  });

  test("a draft with fewer good entries than min_items is rejected: the fallback writes the digest", async () => {
    const h = setUp();
    ollama.setBehavior("llama3.1:8b", {
      kind: "reply",
      content: spoiled(([first]) => [first, INVENTED, { ...INVENTED, link: "https://made-up.example/2" }]),
    });
    const s = await runTick({ trigger: "manual", slot, force: false }, harnessFor(h));

    expect(s.status).toBe("degraded");
    expect(s.model).toBe("fallback");
    const trace = traceOf(h, s);
    expect(String(eventsNamed(trace, "draft.rejected")[0]?.attrs.reason)).toBe(
      "too few good entries (1 < 3); dropped 2: link not among the candidates",
    );
    expect(eventsNamed(trace, "draft.repair")).toHaveLength(2);
    expect(s.reason).toContain("fallback primary → fallback (invalid_draft: too few good entries");
  });
});
