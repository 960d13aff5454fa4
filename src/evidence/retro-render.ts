import { formatUsd, type Micros, usdToMicros } from "../core/money.ts";
import { costOf, type PaidPrices } from "../models/calls.ts";
import type { LoadedSpec } from "../spec/load.ts";
import type { IncidentGroup } from "./incidents.ts";
import { fixedUsd, type RetroFigures, ratio } from "./retro-figures.ts";

/** The lab's query, over the same window. */
export function labQuery(since: string): string {
  return `SELECT count(*) ticks, round(sum(usd_in),4) usd_in, round(sum(value_usd),2) value_out FROM ledger WHERE ts >= '${since}'`;
}

/** The paragraph of the spec's prose that says why a unit is worth its rate, if it says so. */
export function rateReason(loaded: LoadedSpec): string | null {
  const rate = formatUsd(usdToMicros(loaded.spec.value.usd_per_unit));
  const blocks = loaded.prose.split(/\n\s*\n/).map((b) => b.trim());
  const i = blocks.findIndex((b) => b.includes(rate));
  if (i < 0) return null;
  const at = blocks[i] as string;
  const text = at.startsWith("#") ? (blocks[i + 1] ?? "") : at;
  const flat = text.replace(/\s+/g, " ").trim();
  return flat ? (flat.length > 400 ? `${flat.slice(0, 397)}…` : flat) : null;
}

function perDay(micros: Micros, days: number): Micros {
  return days > 0 ? Math.round(micros / days) : 0;
}

const PATHS = {
  free: "free — every synthesis call went to a local model or the extractive link; no paid call was made",
  paid: "paid — every synthesis call went to the paid tier",
  mixed: "mixed — local models most of the time, the paid tier when they failed",
  none: "none — no model call is recorded in the window",
} as const;

function productionCall(f: RetroFigures, shadowPerDay: Micros | null): string {
  const days = `${f.days} day${f.days === 1 ? "" : "s"}`;
  if (f.ticks === 0) return "No call yet: the window holds no ticks.";
  if (f.valueMicros === 0)
    return `Not ready: ${days} and ${f.ticks} ticks delivered no value for ${formatUsd(f.usdInMicros)} spent.`;
  const valuePerDay = perDay(f.valueMicros, f.days);
  if (f.usdInMicros === 0) {
    const paid =
      shadowPerDay && shadowPerDay > 0
        ? `; even all-paid it would cost ${formatUsd(shadowPerDay)}/day against ${formatUsd(valuePerDay)}/day of value (${ratio(valuePerDay, shadowPerDay)})`
        : "";
    return `Keep it in production on the free path: ${formatUsd(f.valueMicros)} of value for $0 over ${days}${paid}.`;
  }
  if (f.valueMicros >= f.usdInMicros)
    return `Keep it in production: every dollar in returned ${ratio(f.valueMicros, f.usdInMicros)} in value (${formatUsd(f.valueMicros)} out for ${formatUsd(f.usdInMicros)} in over ${days}).`;
  return `Do not keep it as is: it spent ${formatUsd(f.usdInMicros)} to return ${formatUsd(f.valueMicros)} over ${days}; move synthesis to the free path or lower the cap.`;
}

/** The retrospective's "Dollars spent vs value captured" section, ready to paste. */
export function renderMoney(
  f: RetroFigures,
  loaded: LoadedSpec,
  prices: PaidPrices | null,
  sinceFrom: string,
): string[] {
  const { unit, usd_per_unit } = loaded.spec.value;
  const rate = formatUsd(usdToMicros(usd_per_unit));
  const reason = rateReason(loaded);
  const window = f.firstDay
    ? `${f.firstDay} … ${f.lastDay} (${f.days} day${f.days === 1 ? "" : "s"})`
    : "(no ticks)";
  const statuses = Object.entries(f.byStatus)
    .map(([s, n]) => `${s} ${n}`)
    .join(", ");
  const writers = Object.entries(f.writers)
    .map(([m, n]) => `${m} ${n}`)
    .join(", ");
  const shadowPerDay = f.days ? perDay(f.shadowMicros, f.days) : null;
  const out = [
    "## Dollars spent vs value captured",
    "",
    `Window: ${window}, ticks with \`ts >= '${f.since}'\` (${sinceFrom}); spec \`${loaded.spec.name}\` ${loaded.hash}.`,
    "",
    `- **Path that ran:** ${PATHS[f.path]} (${f.freeCalls} free call${f.freeCalls === 1 ? "" : "s"}, ${f.paidCalls} paid).`,
    `- **Ticks:** ${f.ticks} (${statuses || "none"}); digests written by ${writers || "nobody"}.`,
    `- **Dollars in:** ${formatUsd(f.usdInMicros)} (${fixedUsd(f.usdInMicros, 4)} USD).`,
    `- **Value out:** ${formatUsd(f.valueMicros)} = ${f.units} ${unit}${f.units === 1 ? "" : "s"} × ${rate} per ${unit} (spec \`value.usd_per_unit\`${f.rates.length > 1 ? `; the rate changed in the window: ${f.rates.map(formatUsd).join(", ")}` : ""}).`,
  ];
  if (reason) out.push(`  The spec says why: “${reason}”`);
  out.push(`- **Value per dollar:** ${ratio(f.valueMicros, f.usdInMicros)}.`);
  out.push(
    "",
    "| ISO week | days | ticks | units | dollars in | value out | value per dollar | shadow cost |",
  );
  out.push("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const w of f.weeks)
    out.push(
      `| ${w.week} | ${w.firstDay} … ${w.lastDay} | ${w.ticks} | ${w.units} | ${formatUsd(w.usdInMicros)} | ${formatUsd(w.valueMicros)} | ${ratio(w.valueMicros, w.usdInMicros)} | ${formatUsd(w.shadowMicros)} |`,
    );
  out.push("");
  if (f.shadowMicros > 0 && shadowPerDay !== null)
    out.push(
      `**Shadow cost:** had every model call gone to the paid synthesis model, the window would have cost ${formatUsd(f.shadowMicros)}, ${formatUsd(shadowPerDay)} per day (\`calls.shadow_micros\`, ${f.tokensIn} tokens in, ${f.tokensOut} out).`,
    );
  else if (prices && (f.tokensIn || f.tokensOut)) {
    const est = costOf(prices, f.tokensIn, f.tokensOut);
    out.push(
      `**Shadow cost:** no shadow cost was recorded; the ${f.tokensIn} tokens in and ${f.tokensOut} out recorded would cost ${formatUsd(est)} on ${prices.model} at today's spec prices, ${formatUsd(perDay(est, f.days))} per day.`,
    );
  } else if (prices)
    out.push(
      `**Shadow cost:** $0 — no call in the window recorded tokens (the extractive link uses none), so there was nothing to price at ${prices.model}'s prices.`,
    );
  else
    out.push(
      "**Shadow cost:** none recorded — the spec names no priced paid model and no `shadow` prices, so there is nothing to price the free calls against.",
    );
  out.push(
    "",
    `**Production call:** ${productionCall(f, shadowPerDay)}`,
    "",
    "The lab's query over the same ledger gives the same figures:",
    "",
    "```",
    `sqlite3 ledger.sqlite "${labQuery(f.since)}"`,
    labRow(f),
    "```",
  );
  return out;
}

/** Prints a REAL the way the sqlite3 shell does (`%!.15g`: 2.5, 0.0); NULL (no rows) prints empty. */
export function sqliteReal(fixed: string | null): string {
  if (fixed === null) return "";
  const n = Number(fixed);
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

/** The row the lab's query prints for these figures. */
export function labRow(f: RetroFigures): string {
  const none = f.ticks === 0;
  return [
    f.ticks,
    sqliteReal(none ? null : fixedUsd(f.usdInMicros, 4)),
    sqliteReal(none ? null : fixedUsd(f.valueMicros, 2)),
  ].join("|");
}

function when(iso: string): string {
  return iso.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC");
}

/** The production-bugs section's raw material: incidents by cause, trace, and the build that fixed each. */
export function renderIncidents(groups: readonly IncidentGroup[]): string[] {
  const out = ["## Production bugs — raw material", ""];
  if (groups.length === 0) {
    out.push("No degraded, failed, timed-out or crashed tick in the window.");
    return out;
  }
  const total = groups.reduce((n, g) => n + g.incidents.length, 0);
  out.push(
    `${total} incident${total === 1 ? "" : "s"} in ${groups.length} cause${groups.length === 1 ? "" : "s"} (degraded, failed, timeout, crashed ticks; reasons with their particulars removed).`,
  );
  for (const g of groups) {
    const first = g.incidents[0];
    const last = g.incidents.at(-1);
    out.push("", `### ${g.cause}`, "");
    out.push(
      `${g.incidents.length} tick${g.incidents.length === 1 ? "" : "s"}, ${first ? when(first.startedAt) : ""}${g.incidents.length > 1 && last ? ` … ${when(last.startedAt)}` : ""}.`,
      "",
    );
    for (const i of g.incidents) {
      const recurred = i.fixedBy ? g.incidents.some((j) => j.startedAt > (i.fixedBy?.at ?? "")) : false;
      const fix = i.fixedBy
        ? `fixed by ${i.fixedBy.path} (spec ${i.specHash} → ${i.fixedBy.specHash})${recurred ? " — but the cause recurred after it" : ""}`
        : "no later build changed the spec (not fixed by a build)";
      out.push(
        `- ${when(i.startedAt)} ${i.status} \`${i.tickId}\`: ${i.reason} — trace ${i.tracePath ?? "(none)"} (\`afk trace ${i.tickId}\`); ${fix}`,
      );
    }
  }
  return out;
}
