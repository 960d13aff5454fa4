// A learner's job using the official `openai` client: it reads OPENAI_BASE_URL and OPENAI_API_KEY itself.
import OpenAI from "openai";

const client = new OpenAI();
const model = process.argv[2] ?? "gpt-4o-mini";
try {
  const models = await client.models.list();
  const reply = await client.chat.completions.create({
    model,
    messages: [{ role: "user", content: "Summarise today's three postings in one line." }],
    max_tokens: 40,
  });
  const text = reply.choices[0]?.message.content ?? "";
  console.log(
    JSON.stringify({
      title: `Postings via ${reply.model}`,
      markdown: `${text}\n\nmodels: ${models.data.map((m) => m.id).join(", ")}; tokens ${reply.usage?.prompt_tokens}/${reply.usage?.completion_tokens}`,
      items: 3,
    }),
  );
} catch (err) {
  const e = err as { status?: number; code?: string; message?: string };
  console.error(`refused: ${e.status} ${e.code} ${e.message}`);
  process.exit(4);
}
