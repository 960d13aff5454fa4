/** @jsxImportSource hono/jsx */
import type { TickRow } from "../../ledger/ticks.ts";
import type { StatusSnapshot } from "../snapshot-view.ts";
import { tickWords } from "../tick-words.ts";
import { exactTime, relativeTime } from "../when.ts";

/** How many ticks the strip shows. */
export const HEARTBEAT_TICKS = 48;

/**
 * The last ticks as a strip of cells, oldest left, newest right, coloured by status; each cell's
 * title gives its time and what happened. Plus the share that delivered (Uptime Kuma's uptime).
 */
export function Heartbeat({ ticks, s, now }: { ticks: readonly TickRow[]; s: StatusSnapshot; now: Date }) {
  const tz = s.spec.timezone;
  const when = (iso: string) => relativeTime(new Date(iso), now, tz);
  const shown = ticks.slice(0, HEARTBEAT_TICKS).reverse();
  if (shown.length === 0) return <p>No ticks yet.</p>;
  const delivered = shown.filter((t) => t.status === "ok" || t.status === "degraded").length;
  const oldest = shown[0] as TickRow;
  return (
    <>
      <p class="meta">
        {delivered} of {shown.length} tick{shown.length === 1 ? "" : "s"} delivered (
        {Math.round((delivered / shown.length) * 100)}%)
      </p>
      <div class="beats" role="img" aria-label={`last ${shown.length} ticks, ${delivered} delivered`}>
        {shown.map((t) => (
          <span
            class={`beat b-${t.status}`}
            title={`${exactTime(new Date(t.started_at))} (${when(t.started_at)}) · ${t.status} · ${tickWords(t, s.spec, when)}`}
          />
        ))}
      </div>
      <div class="beats-axis">
        <span>{when(oldest.started_at)}</span>
        <span>now</span>
      </div>
    </>
  );
}
