import { describe, expect, test } from "bun:test";
import { validateDraft } from "../../src/models/draft.ts";
import { candidates } from "./fixtures.ts";

const items = candidates(4);
const limits = { minItems: 3, summaryMaxChars: 80, maxChars: 2_000 };
const entry = (i: number, summary = `Item ${i} ships a fix.`) => ({
  link: `https://example.test/items/${i}`,
  summary,
});
const draft = (entries: unknown[], title = "Today") => JSON.stringify({ title, entries });

describe("validating a model's draft", () => {
  test("a draft that cites candidates, enough of them, within bounds, passes", () => {
    const v = validateDraft(draft([entry(1), entry(2), entry(3)]), items, limits);
    expect(v).toEqual({ ok: true, draft: { title: "Today", entries: [entry(1), entry(2), entry(3)] } });
  });

  test.each([
    ["not JSON", "Sure! Here is your digest: …", "not JSON"],
    ["JSON cut short", '{"title":"Today","entries":[{"link":"https://exa', "not JSON"],
    ["wrong shape: no entries", JSON.stringify({ title: "Today" }), "wrong shape: entries"],
    ["wrong shape: extra key", JSON.stringify({ title: "T", entries: [entry(1)], note: "x" }), "wrong shape"],
    [
      "wrong shape: empty summary",
      draft([entry(1, ""), entry(2), entry(3)]),
      "wrong shape: entries.0.summary",
    ],
    [
      "a link that is not a candidate",
      draft([entry(1), entry(2), { link: "https://evil.test/", summary: "x" }]),
      "link not among the candidates",
    ],
    ["the same link twice", draft([entry(1), entry(1), entry(2)]), "link listed twice"],
    ["too few entries", draft([entry(1), entry(2)]), "too few entries (2 < 3)"],
    [
      "a summary too long",
      draft([entry(1, "x".repeat(81)), entry(2), entry(3)]),
      "summary too long (81 > 80 chars)",
    ],
  ])("%s is rejected", (_name, raw, reason) => {
    const v = validateDraft(raw, items, limits);
    expect(v.ok).toBe(false);
    expect(v.ok ? "" : v.reason).toContain(reason);
  });

  test("a draft too long as a whole is rejected", () => {
    const v = validateDraft(draft([entry(1), entry(2), entry(3)], "T".repeat(150)), items, {
      ...limits,
      maxChars: 200,
    });
    expect(v.ok ? "" : v.reason).toMatch(/^draft too long \(\d+ > 200 chars\)$/);
  });

  test("with fewer candidates than min_items, every candidate is enough", () => {
    const two = candidates(2);
    expect(validateDraft(draft([entry(1), entry(2)]), two, limits).ok).toBe(true);
  });
});
