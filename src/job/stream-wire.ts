import type { StreamEnd } from "./stream-upstream.ts";
import type { ProxyRequest } from "./wire.ts";

/**
 * A stream in the job's dialect, written as the upstream's pieces arrive: OpenAI server-sent
 * events (a finish chunk, the usage chunk when asked for, `[DONE]`), or Ollama NDJSON (a
 * `done:true` line with the counts). A stream the upstream cut ends the way the real server's
 * does: OpenAI without `[DONE]`, Ollama with an `{"error"}` line. `onEnd` is told how it ended;
 * a job that goes away mid-stream cancels it (`onCancel`).
 */
export function streamResponse(
  req: ProxyRequest,
  chunks: AsyncGenerator<string, StreamEnd>,
  now: () => Date,
  on: { end: (e: StreamEnd) => void; cancel: () => void },
): Response {
  const enc = new TextEncoder();
  const created = now();
  const id = `chatcmpl-afk${created.getTime().toString(36)}`;
  const openai = req.api === "openai";
  const sse = (v: unknown) => enc.encode(`data: ${typeof v === "string" ? v : JSON.stringify(v)}\n\n`);
  const line = (v: unknown) => enc.encode(`${JSON.stringify(v)}\n`);
  const oaChunk = (
    delta: Record<string, unknown>,
    finish: string | null,
    extra: Record<string, unknown> = {},
  ) => ({
    id,
    object: "chat.completion.chunk",
    created: Math.floor(created.getTime() / 1000),
    model: req.model,
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...(req.includeUsage ? { usage: null } : {}),
    ...extra,
  });
  const ollamaPiece = (text: string, done: boolean) => ({
    model: req.model,
    created_at: now().toISOString(),
    ...(req.api === "ollama_generate"
      ? { response: text }
      : { message: { role: "assistant", content: text } }),
    done,
  });
  let first = true;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (first && openai) controller.enqueue(sse(oaChunk({ role: "assistant", content: "" }, null)));
      first = false;
      const r = await chunks.next();
      if (!r.done) {
        controller.enqueue(
          openai ? sse(oaChunk({ content: r.value }, null)) : line(ollamaPiece(r.value, false)),
        );
        return;
      }
      const end = r.value;
      const done = end.finishReason === "length" ? "length" : "stop";
      if (end.complete && openai) {
        controller.enqueue(sse(oaChunk({}, done)));
        // The usage chunk only when the upstream gave one: the job sees what afk saw.
        if (req.includeUsage && end.tokensIn !== null && end.tokensOut !== null) {
          const usage = {
            prompt_tokens: end.tokensIn,
            completion_tokens: end.tokensOut,
            total_tokens: end.tokensIn + end.tokensOut,
          };
          controller.enqueue(sse({ ...oaChunk({}, null), choices: [], usage }));
        }
        controller.enqueue(sse("[DONE]"));
      } else if (end.complete)
        controller.enqueue(
          line({
            ...ollamaPiece("", true),
            done_reason: done,
            ...(end.tokensIn !== null ? { prompt_eval_count: end.tokensIn } : {}),
            ...(end.tokensOut !== null ? { eval_count: end.tokensOut } : {}),
          }),
        );
      else if (!openai) controller.enqueue(line({ error: end.error ?? "the stream was cut" }));
      on.end(end);
      controller.close();
    },
    async cancel() {
      on.cancel();
      // Runs the upstream's settlement (charged in full: its usage never came).
      await chunks.return({
        complete: false,
        tokensIn: null,
        tokensOut: null,
        finishReason: null,
        error: "the job went away",
      });
    },
  });
  return new Response(body, {
    headers: {
      "content-type": openai ? "text/event-stream" : "application/x-ndjson",
      "cache-control": "no-cache",
    },
  });
}
