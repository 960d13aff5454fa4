import type { OpenAiLinkSpec } from "../spec/schema.ts";
import type { ChainContext, LinkOutcome, SynthesisRequest } from "./types.ts";

/** Paid OpenAI-compatible link. Until the budgeted client lands, it refuses (fails closed) so nothing is spent. */
export async function runOpenAiLink(
  link: OpenAiLinkSpec,
  _req: SynthesisRequest,
  ctx: ChainContext,
): Promise<LinkOutcome> {
  ctx.span.event("model.refused", { link: link.id, reason: "paid link not enabled in this build" });
  return { ok: false, code: "refused", reason: "paid link not enabled in this build" };
}
