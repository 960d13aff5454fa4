import { type ChainRunners, runExtractiveLink, runOllamaLink } from "./chain.ts";
import { runOpenAiLink } from "./openai.ts";

/** The real link runners; tests pass their own only to observe, never to fake a protocol. */
export const defaultRunners: ChainRunners = {
  ollama: runOllamaLink,
  openai: runOpenAiLink,
  extractive: runExtractiveLink,
};
