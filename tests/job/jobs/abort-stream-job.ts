// A job that stops reading a stream after its first piece (the official `openai` client's abort):
// afk must still settle the call it started and close the tick's row.
import { writeFileSync } from "node:fs";
import OpenAI from "openai";

const stream = await new OpenAI({ maxRetries: 0 }).chat.completions.create({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "Stream a long answer on WAL checkpoints." }],
  max_tokens: 40,
  stream: true,
  stream_options: { include_usage: true },
});
let first = "";
for await (const chunk of stream) {
  first += chunk.choices[0]?.delta.content ?? "";
  if (first) break; // leaving the loop aborts the request
}
writeFileSync("aborted.txt", first);
console.log(JSON.stringify({ title: "Aborted stream", markdown: `first piece: ${first}`, items: 1 }));
