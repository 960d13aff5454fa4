// A job that fires four paid calls at once: the proxy must let through only what the cap can hold.
import { writeFileSync } from "node:fs";
import OpenAI from "openai";

const client = new OpenAI({ maxRetries: 0 });
const results = await Promise.all(
  [1, 2, 3, 4].map((n) =>
    client.chat.completions
      .create({
        model: "gpt-4o-mini",
        max_tokens: 40,
        messages: [{ role: "user", content: `Call ${n}: one line.` }],
      })
      .then(
        () => "ok",
        (e: { status?: number; code?: string }) => {
          writeFileSync(`refused-${n}`, `${e.status} ${e.code}`);
          return `${e.status} ${e.code}`;
        },
      ),
  ),
);
console.log(JSON.stringify({ title: "Parallel", markdown: results.sort().join("\n"), items: 4 }));
