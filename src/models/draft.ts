import { z } from "zod";
import type { FeedItem } from "../sources/types.ts";
import type { Span } from "../trace/tracer.ts";

export const DRAFT_TITLE_MAX = 200;

/** What a model must return: one summary per chosen candidate, identified by its link. */
export const DraftSchema = z.strictObject({
  title: z.string().min(1).max(DRAFT_TITLE_MAX),
  entries: z
    .array(
      z.strictObject({
        link: z.string().min(1),
        summary: z.string().min(1),
      }),
    )
    .min(1),
});
export type Draft = z.infer<typeof DraftSchema>;

/** JSON schema sent to Ollama as `format`, so the server constrains the output to it. */
export const draftJsonSchema = z.toJSONSchema(DraftSchema);

export interface DraftLimits {
  minItems: number;
  summaryMaxChars: number;
  maxChars: number;
}

/** What a repair did to a model's draft: one closed set, each a `draft.repair` trace event. */
export const REPAIR_KINDS = ["entry_dropped", "summary_cut", "title_cut", "keys_dropped"] as const;
export type RepairKind = (typeof REPAIR_KINDS)[number];

export interface DraftRepair {
  what: RepairKind;
  /** The entry's index in the model's draft; null for the draft itself. */
  entry: number | null;
  /** The entry's link (cut to 120 chars), when it had one. */
  link: string | null;
  why: string;
}

export type DraftVerdict =
  | { ok: true; draft: Draft; repairs: DraftRepair[] }
  | { ok: false; reason: string; repairs: DraftRepair[] };

/** Validates a model's raw text as a draft (JSON first), repairing what can be repaired. */
export function validateDraft(
  raw: string,
  candidates: readonly FeedItem[],
  limits: DraftLimits,
): DraftVerdict {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: `not JSON: ${JSON.stringify(raw.slice(0, 60))}`, repairs: [] };
  }
  return validateDraftValue(json, candidates, limits);
}

const Top = z.object({ title: z.string().trim().min(1), entries: z.array(z.unknown()).min(1) });
const Entry = z.object({ link: z.string().min(1), summary: z.string().trim().min(1) });

/**
 * Checks a draft against the candidates and the bounds, and repairs what a small model gets
 * wrong without spoiling the rest: an entry with an invented or repeated link, or a broken
 * shape, is dropped; an over-long summary is cut at its last sentence end within the bound
 * (at a word, with "…", when no sentence ends in it); an over-long title is cut; unknown keys
 * are dropped; entries over `max_chars` are dropped from the end (the least important). The
 * draft is rejected only when its top level is unusable or fewer than `min_items` good entries
 * (or every candidate, when there are fewer) remain. A clean draft comes back unchanged.
 */
export function validateDraftValue(
  value: unknown,
  candidates: readonly FeedItem[],
  limits: DraftLimits,
): DraftVerdict {
  const top = Top.safeParse(value);
  if (!top.success) return { ok: false, reason: `wrong shape: ${firstIssue(top.error)}`, repairs: [] };
  const repairs: DraftRepair[] = [];
  const note = (what: RepairKind, entry: number | null, link: string | null, why: string) =>
    repairs.push({ what, entry, link: link === null ? null : link.slice(0, 120), why });
  const extra = unknownKeys(value, ["title", "entries"]);
  if (extra.length) note("keys_dropped", null, null, `unknown keys in the draft: ${extra.join(", ")}`);
  let title = top.data.title;
  if (title.length > DRAFT_TITLE_MAX) {
    title = cutText(title, DRAFT_TITLE_MAX).text;
    note("title_cut", null, null, `title over ${DRAFT_TITLE_MAX} chars (${top.data.title.length})`);
  }
  const allowed = new Set(candidates.map((c) => c.link));
  const seen = new Set<string>();
  const entries: Draft["entries"] = [];
  for (const [i, raw] of top.data.entries.entries()) {
    const link = entryLink(raw);
    const why = entryProblem(raw, allowed, seen);
    if (why) {
      note("entry_dropped", i, link, why);
      continue;
    }
    const e = Entry.parse(raw);
    seen.add(e.link);
    const keys = unknownKeys(raw, ["link", "summary"]);
    if (keys.length) note("keys_dropped", i, e.link, `unknown keys in the entry: ${keys.join(", ")}`);
    let summary = e.summary;
    if (summary.length > limits.summaryMaxChars) {
      const cut = cutText(summary, limits.summaryMaxChars);
      const at = cut.at === "sentence" ? "at a sentence end" : "at a word (no sentence ends within it)";
      note(
        "summary_cut",
        i,
        e.link,
        `summary too long (${summary.length} > ${limits.summaryMaxChars} chars): cut ${at} to ${cut.text.length}`,
      );
      summary = cut.text;
    }
    entries.push({ link: e.link, summary });
  }
  const size = () => title.length + entries.reduce((n, e) => n + e.summary.length + e.link.length, 0);
  while (entries.length > 0 && size() > limits.maxChars) {
    const total = size();
    const last = entries.pop();
    note("entry_dropped", null, last?.link ?? null, `draft too long (${total} > ${limits.maxChars} chars)`);
  }
  const needed = Math.min(limits.minItems, candidates.length);
  if (entries.length < needed || entries.length === 0) {
    const dropped = repairs.filter((r) => r.what === "entry_dropped");
    const why = dropped.length ? `; dropped ${dropped.length}: ${dropped[0]?.why}` : "";
    return {
      ok: false,
      reason: `too few good entries (${entries.length} < ${Math.max(needed, 1)})${why}`,
      repairs,
    };
  }
  return { ok: true, draft: { title, entries }, repairs };
}

/**
 * `text` within `max` chars: up to its last sentence end that fits, else up to a word with "…"
 * (the cut never splits a surrogate pair).
 */
export function cutText(text: string, max: number): { text: string; at: "sentence" | "word" } {
  let end = 0;
  for (const m of text.matchAll(/[.!?…]["'”’)\]]*(?=\s|$)/g)) {
    const e = m.index + m[0].length;
    if (e > max) break;
    end = e;
  }
  if (end > 0) return { text: text.slice(0, end).trim(), at: "sentence" };
  let cut = text.slice(0, Math.max(0, max - 1));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const space = cut.lastIndexOf(" ");
  return { text: `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`, at: "word" };
}

/** Each repair as a `draft.repair` event on `span`, naming the link of the chain that wrote the draft. */
export function traceRepairs(span: Pick<Span, "event">, linkId: string, repairs: readonly DraftRepair[]) {
  for (const r of repairs)
    span.event("draft.repair", {
      link: linkId,
      what: r.what,
      entry: r.entry,
      entry_link: r.link,
      why: r.why,
    });
}

/** One line for an operator: how many repairs of which kinds. */
export function describeRepairs(repairs: readonly DraftRepair[]): string {
  const counts = new Map<RepairKind, number>();
  for (const r of repairs) counts.set(r.what, (counts.get(r.what) ?? 0) + 1);
  return [...counts].map(([what, n]) => `${n} ${what.replace("_", " ")}`).join(", ");
}

/** Why an entry cannot stay (wrong shape, invented or repeated link), or null. */
function entryProblem(raw: unknown, allowed: ReadonlySet<string | null>, seen: ReadonlySet<string>) {
  const e = Entry.safeParse(raw);
  if (!e.success) return `wrong shape: ${firstIssue(e.error)}`;
  if (!allowed.has(e.data.link)) return "link not among the candidates";
  if (seen.has(e.data.link)) return "link listed twice";
  return null;
}

function entryLink(raw: unknown): string | null {
  return isRecord(raw) && typeof raw.link === "string" ? raw.link : null;
}

function firstIssue(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? `${first.path.join(".") || "(root)"}: ${first.message}` : "";
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function unknownKeys(v: unknown, known: readonly string[]): string[] {
  return isRecord(v) ? Object.keys(v).filter((k) => !known.includes(k)) : [];
}
