import { type LinkCallers, runExtractiveLink, runOllamaLink } from "./chain.ts";
import { openAiCaller } from "./openai.ts";
import { createShapeMemory } from "./openai-shape.ts";

/**
 * A set of the real link callers with its own memory of what each paid server refused (the
 * request shape learned from a 400), kept as long as the callers are.
 */
export function createLinkCallers(): LinkCallers {
  return { ollama: runOllamaLink, openai: openAiCaller(createShapeMemory()), extractive: runExtractiveLink };
}

/**
 * The process's callers: made once at start-up, so a paid server's refusal is learned once per
 * process. Tests pass their own only to observe (or `createLinkCallers()` to start unlearned), never
 * to fake a protocol.
 */
export const defaultLinkCallers: LinkCallers = createLinkCallers();
