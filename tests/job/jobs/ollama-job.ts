// A learner's job using the official `ollama` client: OLLAMA_HOST must be passed as `host` (the client does not read it).
import { Ollama } from "ollama";

const ollama = new Ollama({ host: process.env.OLLAMA_HOST });
const model = process.argv[2] ?? "llama3.1:8b";
try {
  const { version } = await ollama.version();
  const tags = await ollama.list();
  const chat = await ollama.chat({ model, messages: [{ role: "user", content: "Name one SQLite pragma." }] });
  const gen = await ollama.generate({ model, prompt: "Name one Bun API.", system: "Answer in one line." });
  console.log(
    JSON.stringify({
      title: "Ollama job",
      markdown: `chat: ${chat.message.content}\n\ngenerate: ${gen.response}\n\nversion ${version}; models ${tags.models.map((m) => m.name).join(", ")}; eval ${chat.eval_count}+${gen.eval_count}`,
      items: 2,
    }),
  );
} catch (err) {
  const e = err as { name?: string; status_code?: number; error?: string; message?: string };
  console.error(`refused: ${e.name} ${e.status_code} ${e.message}`);
  process.exit(4);
}
