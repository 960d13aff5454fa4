import { describe, expect, test } from "bun:test";
import { allStrings, listFiles, readCorpus, runPipeline } from "./files.ts";

/** Each test reads all ~3,000 files: on a loaded machine that outlasts bun's default 5 s. */
const WHOLE_CORPUS_TIMEOUT_MS = 60_000;

const inputs = [...listFiles("feedparser"), ...listFiles("gofeed")].filter((f) => !f.endsWith("LICENSE"));

/** What must never survive normalisation, in any string of any feed. */
const FORBIDDEN: [string, RegExp][] = [
  ["<script", /<script/i],
  ["an on*= handler attribute", /<[^>]*\son[a-z]+\s*=/i],
  ["an on*= handler, even as text", /\bon[a-z]+\s*=/i],
  ["a javascript: URL", /javascript:/i],
  ["a vbscript: URL", /vbscript:/i],
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  ["a control character", /[\u0000-\u001F\u007F-\u009F]/],
  ["a tag", /<[a-z!/?]/i],
];

describe("the shared corpora (feedparser + gofeed), parsed directly", () => {
  test(
    `every one of the ${inputs.length} files ends in a normalised feed or a FeedError`,
    () => {
      const crashes: string[] = [];
      let feeds = 0;
      let feedErrors = 0;
      for (const file of inputs) {
        const outcome = runPipeline(readCorpus(file), null, `http://127.0.0.1:8097/${file}`);
        if (outcome.kind === "crash") crashes.push(`${file}: ${String(outcome.error)}`);
        else if (outcome.kind === "feed") feeds++;
        else feedErrors++;
      }
      expect(crashes).toEqual([]);
      expect(feeds + feedErrors).toBe(inputs.length);
      expect(inputs.length).toBeGreaterThan(2_900);
    },
    WHOLE_CORPUS_TIMEOUT_MS,
  );

  test(
    "after normalisation no script, handler, javascript: URL, tag or control character survives in any string",
    () => {
      const sanitize = inputs.filter((f) => f.startsWith("feedparser/wellformed/sanitize/"));
      expect(sanitize.length).toBeGreaterThan(700);
      const found: string[] = [];
      let checkedStrings = 0;
      let sanitizeStrings = 0;
      for (const file of inputs) {
        const outcome = runPipeline(readCorpus(file), null, `http://127.0.0.1:8097/${file}`);
        if (outcome.kind !== "feed") continue;
        for (const s of allStrings(outcome.feed)) {
          checkedStrings++;
          if (file.startsWith("feedparser/wellformed/sanitize/") && s !== "") sanitizeStrings++;
          for (const [what, re] of FORBIDDEN)
            if (re.test(s)) found.push(`${file}: ${what} in ${JSON.stringify(s)}`);
        }
      }
      expect(found).toEqual([]);
      // The check must have had something to look at: titles and summaries of the hostile files included.
      expect(checkedStrings).toBeGreaterThan(2_000);
      expect(sanitizeStrings).toBeGreaterThan(300);
    },
    WHOLE_CORPUS_TIMEOUT_MS,
  );
});
