#!/usr/bin/env bun
/**
 * The soak's `job: command` (never imported): a learner's triage job, run by afk each tick of
 * the soak's job days, written the way the README tells a learner to write one. It reads its
 * feeds (SOAK_FEEDS, passed through by `job.env`), asks the model about eight items at once —
 * half with the official `openai` client, a quarter `ollama.chat`, a quarter
 * `ollama.generate` — then streams a summary with the `openai` client (usage asked for). All of
 * it goes through afk's proxy (OPENAI_BASE_URL, OLLAMA_HOST); a call afk refuses (the cap, a
 * model down) is noted and the job carries on, listing the titles itself when no model answered.
 * Its last stdout line is the unit; the Markdown ends with the digest's footer form.
 */
import { Ollama } from "ollama";
import OpenAI from "openai";

const MODEL = process.argv[2] ?? "llama3.1:8b";
/** Output tokens each call allows (the paid link's max_output_tokens; the soak's paid double bills half). */
const MAX_TOKENS = 400;
const RUBRIC = [
  "You triage postings for a busy engineer. For the item below, answer in one line: keep or drop,",
  "then the reason in at most twelve words. Keep items about SQLite, Bun, TypeScript, systemd,",
  "observability, spend caps, model serving, or release notes of tools the team runs in production.",
  "Drop marketing, hiring posts, event announcements, anything older than a week, duplicates of an",
  "item already kept today, and anything whose title promises more than a short summary can check.",
  "When unsure, keep it and say what to verify. Never invent a link, a version number or a date;",
  "quote the title's own words when you name the subject. Do not add greetings or a preamble.",
  "Answer in plain text, no Markdown, no list markers, no quotes around the answer, one line only.",
].join(" ");

const openai = new OpenAI();
const ollama = new Ollama({ host: process.env.OLLAMA_HOST });

async function titles(url: string): Promise<string[]> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return [];
    const xml = await res.text();
    return [...xml.matchAll(/<(?:item|entry)>[\s\S]*?<title>([^<]*)<\/title>/g)].map((m) => m[1] ?? "");
  } catch {
    return [];
  }
}

type Verdict = { ok: true; text: string } | { ok: false; why: string };

function refusal(err: unknown): Verdict {
  const e = err as { status?: number; status_code?: number; code?: string; message?: string };
  return { ok: false, why: `${e.status ?? e.status_code ?? "-"} ${e.code ?? ""} ${e.message ?? ""}`.trim() };
}

function ask(n: number, title: string): Promise<Verdict> {
  const prompt = `${RUBRIC}\n\nItem: ${title}`;
  const settled = (p: Promise<string>) => p.then((text): Verdict => ({ ok: true, text }), refusal);
  if (n % 4 === 2)
    return settled(
      ollama
        .chat({
          model: MODEL,
          messages: [{ role: "user", content: prompt }],
          options: { num_predict: MAX_TOKENS },
        })
        .then((r) => r.message.content ?? ""),
    );
  if (n % 4 === 3)
    return settled(
      ollama
        .generate({ model: MODEL, prompt, system: "One line.", options: { num_predict: MAX_TOKENS } })
        .then((r) => r.response ?? ""),
    );
  return settled(
    openai.chat.completions
      .create({ model: MODEL, max_tokens: MAX_TOKENS, messages: [{ role: "user", content: prompt }] })
      .then((r) => r.choices[0]?.message.content ?? ""),
  );
}

async function summary(lines: string[]): Promise<Verdict> {
  try {
    const stream = await openai.chat.completions.create({
      model: MODEL,
      max_tokens: MAX_TOKENS,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: `${RUBRIC}\n\nSummarise today's verdicts:\n${lines.join("\n")}` }],
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    return { ok: true, text };
  } catch (err) {
    return refusal(err);
  }
}

const feeds = (process.env.SOAK_FEEDS ?? "").split(",").filter(Boolean);
const items = (await Promise.all(feeds.map(titles))).flat().slice(0, 8);
const verdicts = await Promise.all(items.map((t, i) => ask(i, t)));
const kept = verdicts.flatMap((v, i) => (v.ok ? [`- ${items[i]}: ${v.text.split("\n")[0]}`] : []));
const refused = verdicts.flatMap((v) => (v.ok ? [] : [v.why]));
const sum = kept.length ? await summary(kept) : null;
if (sum && !sum.ok) refused.push(sum.why);
for (const why of refused) console.error(`refused: ${why}`);
const body = kept.length ? kept : items.map((t) => `- ${t} (no model answered: listed as is)`);
const by = kept.length ? MODEL : "the job itself";
const markdown = [
  sum?.ok ? sum.text : "No summary this hour.",
  "",
  ...body,
  "",
  `_${process.env.AFK_SLOT ?? ""} · ${items.length} items · written by ${by} · ${refused.length} calls refused_`,
  "",
].join("\n");
console.log(JSON.stringify({ title: `Triage ${process.env.AFK_SLOT ?? ""}`, markdown, items: items.length }));
