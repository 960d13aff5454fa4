import { describe, expect, test } from "bun:test";
import { cutText, describeRepairs, validateDraft, validateDraftValue } from "../../src/models/draft.ts";
import { candidates } from "./fixtures.ts";

const items = candidates(4);
const limits = { minItems: 3, summaryMaxChars: 80, maxChars: 2_000 };
const entry = (i: number, summary = `Item ${i} ships a fix.`) => ({
  link: `https://example.test/items/${i}`,
  summary,
});
const draft = (entries: unknown[], title = "Today") => JSON.stringify({ title, entries });
const invented = { link: "https://evil.test/", summary: "Click here." };
/** 104 chars: two sentences, the first ends at 41. */
const LONG = `${"Item 1 ships a fix for the WAL checkpoint."} ${"It also changes the default page size, which matters for old files."}`;

describe("validating a model's draft", () => {
  test("a draft that cites candidates, enough of them, within bounds, passes unchanged with no repairs", () => {
    const v = validateDraft(draft([entry(1), entry(2), entry(3)]), items, limits);
    expect(v).toEqual({
      ok: true,
      draft: { title: "Today", entries: [entry(1), entry(2), entry(3)] },
      repairs: [],
    });
  });

  test.each([
    ["not JSON", "Sure! Here is your digest: …", "not JSON"],
    ["JSON cut short", '{"title":"Today","entries":[{"link":"https://exa', "not JSON"],
    ["no entries", JSON.stringify({ title: "Today" }), "wrong shape: entries"],
    ["an empty entry list", draft([]), "wrong shape: entries"],
    ["no title", JSON.stringify({ entries: [entry(1), entry(2), entry(3)] }), "wrong shape: title"],
    ["too few entries", draft([entry(1), entry(2)]), "too few good entries (2 < 3)"],
    [
      "too few good entries once the bad ones are dropped",
      draft([entry(1), invented, entry(1), { link: "https://example.test/items/2" }]),
      "too few good entries (1 < 3); dropped 3: link not among the candidates",
    ],
  ])("%s is rejected", (_name, raw, reason) => {
    const v = validateDraft(raw, items, limits);
    expect(v.ok).toBe(false);
    expect(v.ok ? "" : v.reason).toContain(reason);
  });

  test("an invented link is dropped and the rest delivered, the repair saying what and why", () => {
    const v = validateDraft(draft([entry(1), invented, entry(2), entry(3)]), items, limits);
    expect(v.ok && v.draft.entries).toEqual([entry(1), entry(2), entry(3)]);
    expect(v.repairs).toEqual([
      { what: "entry_dropped", entry: 1, link: "https://evil.test/", why: "link not among the candidates" },
    ]);
  });

  test("a link listed twice keeps its first entry; an entry of the wrong shape is dropped", () => {
    const v = validateDraft(
      draft([
        entry(1),
        entry(2),
        entry(1, "Again."),
        { link: "https://example.test/items/4", summary: "" },
        entry(3),
      ]),
      items,
      limits,
    );
    expect(v.ok && v.draft.entries).toEqual([entry(1), entry(2), entry(3)]);
    expect(v.repairs.map((r) => [r.what, r.entry, r.why.split(":")[0]])).toEqual([
      ["entry_dropped", 2, "link listed twice"],
      ["entry_dropped", 3, "wrong shape"],
    ]);
  });

  test("an over-long summary is cut at its last sentence end within the bound", () => {
    expect(LONG.length).toBeGreaterThan(80);
    const v = validateDraft(draft([entry(1, LONG), entry(2), entry(3)]), items, limits);
    expect(v.ok && v.draft.entries[0]).toEqual(entry(1, "Item 1 ships a fix for the WAL checkpoint."));
    expect(v.repairs).toEqual([
      {
        what: "summary_cut",
        entry: 0,
        link: "https://example.test/items/1",
        why: `summary too long (${LONG.length} > 80 chars): cut at a sentence end to 42`,
      },
    ]);
  });

  test("a summary with no sentence end within the bound is cut at a word, with an ellipsis", () => {
    const words = "word ".repeat(30).trim();
    const cut = cutText(words, 80);
    expect(cut.at).toBe("word");
    expect(cut.text.length).toBeLessThanOrEqual(80);
    expect(cut.text).toEndWith("word…");
    expect(cutText("A. B is longer than the bound here.", 10)).toEqual({ text: "A.", at: "sentence" });
    expect(cutText("😀".repeat(50), 9).text).toBe(`${"😀".repeat(4)}…`);
  });

  test("unknown keys are dropped and an over-long title cut; each is a repair", () => {
    const v = validateDraftValue(
      { title: "T".repeat(250), date: "today", entries: [{ ...entry(1), score: 3 }, entry(2), entry(3)] },
      items,
      limits,
    );
    expect(v.ok && v.draft.title.length).toBeLessThanOrEqual(200);
    expect(v.ok && v.draft.entries[0]).toEqual(entry(1));
    expect(v.repairs.map((r) => r.what)).toEqual(["keys_dropped", "title_cut", "keys_dropped"]);
  });

  test("a draft over max_chars loses entries from the end (the least important) until it fits", () => {
    const v = validateDraft(draft([entry(1), entry(2), entry(3), entry(4)]), items, {
      ...limits,
      maxChars: 180,
    });
    expect(v.ok && v.draft.entries.map((e) => e.link)).toEqual([1, 2, 3].map((i) => entry(i).link));
    expect(v.repairs).toEqual([
      {
        what: "entry_dropped",
        entry: null,
        link: "https://example.test/items/4",
        why: expect.stringMatching(/^draft too long \(\d+ > 180 chars\)$/),
      },
    ]);
  });

  test("a draft too long even at min_items is rejected", () => {
    const v = validateDraft(draft([entry(1), entry(2), entry(3)], "T".repeat(150)), items, {
      ...limits,
      maxChars: 200,
    });
    expect(v.ok ? "" : v.reason).toMatch(/^too few good entries \(\d < 3\); dropped \d: draft too long/);
  });

  test("a repaired draft validates again with no repairs (the harness's final check)", () => {
    const first = validateDraft(draft([entry(1, LONG), invented, entry(2), entry(3)]), items, limits);
    expect(first.ok).toBe(true);
    const again = validateDraftValue(first.ok ? first.draft : null, items, limits);
    expect(again).toEqual({ ok: true, draft: first.ok ? first.draft : never(), repairs: [] });
    expect(describeRepairs(first.repairs)).toBe("1 summary cut, 1 entry dropped");
  });

  test("with fewer candidates than min_items, every candidate is enough", () => {
    const two = candidates(2);
    expect(validateDraft(draft([entry(1), entry(2)]), two, limits).ok).toBe(true);
  });
});

function never(): never {
  throw new Error("unreachable");
}
