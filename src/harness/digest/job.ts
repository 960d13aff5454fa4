import { zonedParts } from "../../core/clock.ts";
import type { TickScope } from "../context.ts";
import type { Job, JobOutcome } from "../job.ts";
import { everySourceFailed, fetchStep } from "./fetch-step.ts";
import { synthesizeStep } from "./synthesize-step.ts";
import { tooFewItems, triageStep } from "./triage-step.ts";
import { digestUnit } from "./unit.ts";
import { validateStep } from "./validate-step.ts";

/** The built-in feed digest, the job of a spec without `job:`: fetch → triage → synthesize → validate. */
export const digestJob: Job = { kind: "digest", run: runDigest };

async function runDigest(t: TickScope): Promise<JobOutcome> {
  const { spec } = t.ctx.loaded;
  const fetched = await fetchStep(t);
  const base = { fallbacks: [], failedSources: fetched.failedSources };
  const allDown = everySourceFailed(fetched);
  if (allDown) return { ...base, ok: false, status: "failed", reason: allDown };

  const { candidates } = await triageStep(t, fetched.results);
  const few = tooFewItems(candidates.length, spec.value.min_items, fetched);
  if (few) return { ...base, ...few };

  const at = zonedParts(t.req.slot, spec.timezone);
  const title = `${spec.name} — ${at.day}`;
  const chain = await synthesizeStep(t, candidates, title);
  const withChain = { ...base, fallbacks: chain.fallbacks, model: chain.link.id };

  const slotLabel = `${spec.name} · ${at.day} ${at.hhmm.replace(/(..)(..)/, "$1:$2")} ${spec.timezone}`;
  const text = await validateStep(t, chain, candidates, slotLabel);
  if (!text)
    return {
      ...withChain,
      ok: false,
      status: "failed",
      reason: "the final draft failed validation; no digest written",
    };
  return {
    ...withChain,
    ok: true,
    unit: digestUnit(t.ctx.loaded, title, { fetched, candidates, chain, text }),
  };
}
