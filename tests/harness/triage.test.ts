import { describe, expect, test } from "bun:test";
import { score, type TriageOptions, triage } from "../../src/harness/triage.ts";
import type { FeedItem } from "../../src/sources/types.ts";

const NOW = new Date("2026-11-24T07:00:00Z");

/** An item from a compact description: `id`, and only what a row needs beyond it. */
function item(id: string, o: Partial<FeedItem> = {}): FeedItem {
  return {
    identity: id,
    title: `title ${id}`,
    link: `https://example.org/${id}`,
    published: null,
    summary: "",
    sourceId: "s",
    sourceName: "S",
    ...o,
  };
}

const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

const base: TriageOptions = { maxItems: 10, keywords: {}, now: NOW };

interface Row {
  name: string;
  items: FeedItem[];
  delivered?: string[];
  opts?: Partial<TriageOptions>;
  candidates: string[];
  /** The order of `candidates` is asserted too. */
  ordered?: true;
  counts?: Partial<{ alreadyDelivered: number; linkless: number; duplicates: number }>;
}

const rows: Row[] = [
  { name: "nothing in, nothing out", items: [], candidates: [] },
  {
    name: "an item without a usable link is dropped and counted",
    items: [item("a"), item("b", { link: null })],
    candidates: ["a"],
    counts: { linkless: 1 },
  },
  {
    name: "an item delivered in an earlier digest is dropped and counted",
    items: [item("a"), item("b")],
    delivered: ["b"],
    candidates: ["a"],
    counts: { alreadyDelivered: 1 },
  },
  {
    name: "the same identity twice (two sources, one story) is kept once",
    items: [item("a"), item("a", { sourceId: "t" })],
    candidates: ["a"],
    counts: { duplicates: 1 },
  },
  {
    name: "the same link under another identity is a duplicate too",
    items: [item("a"), item("b", { link: "https://example.org/a" })],
    candidates: ["a"],
    counts: { duplicates: 1 },
  },
  {
    name: "older than max_age_hours is dropped; an item with no date is kept",
    items: [
      item("old", { published: hoursAgo(30) }),
      item("new", { published: hoursAgo(2) }),
      item("undated"),
    ],
    opts: { maxAgeHours: 24 },
    candidates: ["new", "undated"],
  },
  {
    name: "keyword weight ranks first (whole words, any case, title or summary)",
    items: [item("plain"), item("hit", { summary: "About SQLite WAL" }), item("part", { title: "sqlites" })],
    opts: { keywords: { sqlite: 3 } },
    candidates: ["hit", "plain", "part"],
    ordered: true,
  },
  {
    name: "with equal keywords the newer item ranks first (recency bonus halves daily)",
    items: [item("day-old", { published: hoursAgo(24) }), item("fresh", { published: hoursAgo(1) })],
    candidates: ["fresh", "day-old"],
    ordered: true,
  },
  {
    name: "only the best max_items are kept",
    items: [item("a", { title: "bun" }), item("b"), item("c", { title: "bun bun" })],
    opts: { keywords: { bun: 2 }, maxItems: 2 },
    candidates: ["a", "c"],
  },
  {
    name: "a keyword with regex characters matches literally",
    items: [item("x", { title: "c++ news" }), item("y", { title: "cxx news" })],
    opts: { keywords: { "c++": 5 } },
    candidates: ["x", "y"],
  },
];

describe("triage", () => {
  test.each(rows.map((r) => [r.name, r] as const))("%s", (_, r) => {
    const out = triage(r.items, new Set(r.delivered ?? []), { ...base, ...r.opts });
    expect(out.candidates.map((c) => c.identity).sort()).toEqual([...r.candidates].sort());
    if (r.ordered) expect(out.candidates.map((c) => c.identity)).toEqual(r.candidates);
    expect({
      alreadyDelivered: out.alreadyDelivered,
      linkless: out.linkless,
      duplicates: out.duplicates,
    }).toEqual({ alreadyDelivered: 0, linkless: 0, duplicates: 0, ...r.counts });
  });

  test.each([
    ["no keywords, no date", {}, item("a"), 0],
    ["a keyword in the summary", { bun: 2 }, item("a", { summary: "Bun 1.4" }), 2],
    ["two keywords", { bun: 2, sqlite: 3 }, item("a", { title: "bun and sqlite" }), 5],
    ["published now: the full recency bonus", {}, item("a", { published: NOW.toISOString() }), 2],
    ["a day old: half the bonus", {}, item("a", { published: hoursAgo(24) }), 1],
  ] as const)("score: %s", (_, keywords, it, expected) => {
    expect(score(it, keywords, NOW)).toBeCloseTo(expected, 9);
  });
});
