/** Reading an upstream's stream: its lines as they arrive, each read as OpenAI SSE or Ollama NDJSON. */

export const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The lines of a body as they arrive. */
export async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        yield buf.slice(0, i).replace(/\r$/, "");
        buf = buf.slice(i + 1);
      }
    }
    if (buf.trim()) yield buf;
  } finally {
    reader.releaseLock();
  }
}

export interface Usage {
  tokensIn: number;
  tokensOut: number;
}

/** One line of an OpenAI stream: nothing to use, `[DONE]`, an error event, or a chunk. */
export type SseLine =
  | { kind: "skip" }
  | { kind: "done" }
  | { kind: "error"; message: string }
  | { kind: "chunk"; content: string; finish: string | null; usage: Usage | null };

export function readSseLine(line: string): SseLine {
  if (!line.startsWith("data:")) return { kind: "skip" };
  const data = line.slice(5).trim();
  if (data === "[DONE]") return { kind: "done" };
  const obj = parse(data);
  if (!isObj(obj)) return { kind: "skip" };
  if (isObj(obj.error)) return { kind: "error", message: String(obj.error.message ?? "error in stream") };
  const choice = Array.isArray(obj.choices) && isObj(obj.choices[0]) ? obj.choices[0] : null;
  const delta = choice && isObj(choice.delta) ? choice.delta : null;
  const u = obj.usage;
  return {
    kind: "chunk",
    content: typeof delta?.content === "string" ? delta.content : "",
    finish: typeof choice?.finish_reason === "string" ? choice.finish_reason : null,
    usage:
      isObj(u) && typeof u.prompt_tokens === "number" && typeof u.completion_tokens === "number"
        ? { tokensIn: u.prompt_tokens, tokensOut: u.completion_tokens }
        : null,
  };
}

/** One line of an Ollama stream: nothing to use, an `{"error"}` line, or a piece (the last one `done`, with its counts). */
export type NdjsonLine =
  | { kind: "skip" }
  | { kind: "error"; message: string }
  | {
      kind: "piece";
      content: string;
      done: { tokensIn: number | null; tokensOut: number | null; finishReason: string | null } | null;
    };

export function readNdjsonLine(line: string): NdjsonLine {
  const obj = parse(line);
  if (!isObj(obj)) return { kind: "skip" };
  if (typeof obj.error === "string") return { kind: "error", message: obj.error };
  // A chat line carries `message.content`, a generate line `response`.
  const piece = isObj(obj.message) ? obj.message.content : obj.response;
  const content = typeof piece === "string" ? piece : "";
  const done =
    obj.done === true
      ? {
          tokensIn: typeof obj.prompt_eval_count === "number" ? obj.prompt_eval_count : null,
          tokensOut: typeof obj.eval_count === "number" ? obj.eval_count : null,
          finishReason: typeof obj.done_reason === "string" ? obj.done_reason : null,
        }
      : null;
  return { kind: "piece", content, done };
}
