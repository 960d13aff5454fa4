import type { StatusSnapshot } from "../snapshot-view.ts";
import { VERDICT_REASONS, VERDICTS } from "../snapshot-view.ts";
import { gauge } from "./expose.ts";
import type { SnapshotFamilies } from "./snapshot.ts";

/**
 * The verdict as a state set: `afk_verdict{verdict="…"}` is 1 for the current verdict and 0 for
 * the others (so `afk_verdict{verdict="delivering"} == 0` can page someone), its reasons likewise.
 */
export const verdictFamilies: SnapshotFamilies = (snap: Pick<StatusSnapshot, "verdict">) => {
  const v = snap.verdict;
  const reasons = new Set(v.reasons.map((r) => r.code));
  return [
    gauge(
      "afk_verdict",
      "The one verdict of afk status and the page: 1 for the current one, 0 for the others.",
      VERDICTS.map((verdict) => ({ labels: { verdict }, value: verdict === v.verdict ? 1 : 0 })),
    ),
    gauge(
      "afk_verdict_reason",
      "1 for each reason behind the current verdict, 0 for the others.",
      VERDICT_REASONS.map((reason) => ({ labels: { reason }, value: reasons.has(reason) ? 1 : 0 })),
    ),
  ];
};
