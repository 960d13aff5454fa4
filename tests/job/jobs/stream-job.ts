// A learner's job that streams through both official clients (`openai` and `ollama`).
import { Ollama } from "ollama";
import OpenAI from "openai";

const which = process.argv[2];
let text = "";
let usage = "";
if (which === "openai") {
  const stream = await new OpenAI().chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "Stream one line on WAL mode, please." }],
    max_tokens: 40,
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? "";
    if (chunk.usage) usage = `${chunk.usage.prompt_tokens}/${chunk.usage.completion_tokens}`;
  }
} else {
  const ollama = new Ollama({ host: process.env.OLLAMA_HOST });
  const chat = await ollama.chat({
    model: "llama3.1:8b",
    messages: [{ role: "user", content: "Stream a line." }],
    stream: true,
  });
  for await (const part of chat) {
    text += part.message.content;
    if (part.done) usage = `${part.prompt_eval_count}/${part.eval_count}`;
  }
  const gen = await ollama.generate({ model: "llama3.1:8b", prompt: "And one more.", stream: true });
  for await (const part of gen) text += part.response;
}
console.log(
  JSON.stringify({
    title: `Streamed via ${which}`,
    markdown: `${text}\n\nusage ${usage || "none"}`,
    items: 1,
  }),
);
