import { type ChainRunners, runExtractiveLink, runOllamaLink } from "./chain.ts";
import { openAiRunner } from "./openai.ts";
import { createShapeMemory } from "./openai-shape.ts";

/**
 * A set of the real link runners with its own memory of what each paid server refused (the
 * request shape learned from a 400), kept as long as the runners are.
 */
export function createRunners(): ChainRunners {
  return { ollama: runOllamaLink, openai: openAiRunner(createShapeMemory()), extractive: runExtractiveLink };
}

/**
 * The process's runners: made once at start-up, so a paid server's refusal is learned once per
 * process. Tests pass their own only to observe (or `createRunners()` to start unlearned), never
 * to fake a protocol.
 */
export const defaultRunners: ChainRunners = createRunners();
