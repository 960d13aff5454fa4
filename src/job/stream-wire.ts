import type { StreamEnd } from "./stream-upstream.ts";
import type { ProxyRequest } from "./wire.ts";

/** How one API writes a stream: its content type, what opens it, each piece, and its ending. */
interface Dialect {
  contentType: string;
  opening: Uint8Array[];
  piece(text: string): Uint8Array;
  ending(end: StreamEnd): Uint8Array[];
}

const enc = new TextEncoder();

/** OpenAI server-sent events: a role chunk, content chunks, a finish chunk, the usage chunk when asked for, `[DONE]`. */
function openaiDialect(req: ProxyRequest, created: Date): Dialect {
  const id = `chatcmpl-afk${created.getTime().toString(36)}`;
  const sse = (v: unknown) => enc.encode(`data: ${typeof v === "string" ? v : JSON.stringify(v)}\n\n`);
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    id,
    object: "chat.completion.chunk",
    created: Math.floor(created.getTime() / 1000),
    model: req.model,
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...(req.includeUsage ? { usage: null } : {}),
  });
  return {
    contentType: "text/event-stream",
    opening: [sse(chunk({ role: "assistant", content: "" }, null))],
    piece: (text) => sse(chunk({ content: text }, null)),
    ending(end) {
      // A cut stream ends as the real server's does: without `[DONE]`.
      if (!end.complete) return [];
      const out = [sse(chunk({}, end.finishReason === "length" ? "length" : "stop"))];
      // The usage chunk only when the upstream gave one: the job sees what afk saw.
      if (req.includeUsage && end.tokensIn !== null && end.tokensOut !== null) {
        const usage = {
          prompt_tokens: end.tokensIn,
          completion_tokens: end.tokensOut,
          total_tokens: end.tokensIn + end.tokensOut,
        };
        out.push(sse({ ...chunk({}, null), choices: [], usage }));
      }
      return [...out, sse("[DONE]")];
    },
  };
}

/** Ollama NDJSON: a line per piece, then a `done:true` line with the counts, or an `{"error"}` line when cut. */
function ollamaDialect(req: ProxyRequest, now: () => Date): Dialect {
  const line = (v: unknown) => enc.encode(`${JSON.stringify(v)}\n`);
  const piece = (text: string, done: boolean) => ({
    model: req.model,
    created_at: now().toISOString(),
    ...(req.api === "ollama_generate"
      ? { response: text }
      : { message: { role: "assistant", content: text } }),
    done,
  });
  return {
    contentType: "application/x-ndjson",
    opening: [],
    piece: (text) => line(piece(text, false)),
    ending(end) {
      if (!end.complete) return [line({ error: end.error ?? "the stream was cut" })];
      return [
        line({
          ...piece("", true),
          done_reason: end.finishReason === "length" ? "length" : "stop",
          ...(end.tokensIn !== null ? { prompt_eval_count: end.tokensIn } : {}),
          ...(end.tokensOut !== null ? { eval_count: end.tokensOut } : {}),
        }),
      ];
    },
  };
}

/**
 * A stream in the job's dialect, written as the upstream's pieces arrive (OpenAI server-sent
 * events or Ollama NDJSON). A stream the upstream cut ends the way the real server's does.
 * `on.end` is told how it ended; a job that goes away mid-stream cancels it (`on.cancel`).
 */
export function streamResponse(
  req: ProxyRequest,
  chunks: AsyncGenerator<string, StreamEnd>,
  now: () => Date,
  on: { end: (e: StreamEnd) => void; cancel: () => void },
): Response {
  const d = req.api === "openai" ? openaiDialect(req, now()) : ollamaDialect(req, now);
  let opened = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!opened) for (const b of d.opening) controller.enqueue(b);
      opened = true;
      const r = await chunks.next();
      if (!r.done) return controller.enqueue(d.piece(r.value));
      for (const b of d.ending(r.value)) controller.enqueue(b);
      on.end(r.value);
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
  return new Response(body, { headers: { "content-type": d.contentType, "cache-control": "no-cache" } });
}
