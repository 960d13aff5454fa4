/** @jsxImportSource hono/jsx */
import { formatUsd } from "../core/money.ts";
import type { DayTotals } from "./queries.ts";

const H = 200;
const PAD = { left: 50, right: 6, top: 10, bottom: 40 };
const FONT = "12";

/**
 * The axis top: 1, 2 or 5 × a power of ten, at least $0.10, so the axis labels (0, half, top)
 * are short dollar amounts ("$0.05", "$2.50") that fit the 50-unit margin.
 */
export function niceMax(micros: number): number {
  for (let magnitude = 100_000; ; magnitude *= 10)
    for (const m of [1, 2, 5]) if (m * magnitude >= micros) return m * magnitude;
}

/** Where things go: the plot's scale for a chart `W` wide over `days`. */
interface Geometry {
  W: number;
  slot: number;
  bar: number;
  y: (micros: number) => number;
}

/**
 * Spend vs value per day as inline SVG (no script, no external asset). Drawn at the width it is
 * shown at (the page has a 360-wide one for phones and a 720-wide one for screens, one hidden by
 * CSS), so its 12-unit labels are 12 px where they are read. `labelEvery` days get a date.
 */
export function SpendValueChart({
  days,
  width: W = 360,
  labelEvery = 3,
}: {
  days: readonly DayTotals[];
  width?: number;
  labelEvery?: number;
}) {
  const max = niceMax(Math.max(...days.flatMap((d) => [d.spendMicros, d.valueMicros])));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, days.length);
  const g: Geometry = {
    W,
    slot,
    bar: Math.max(2, slot / 2 - 3),
    y: (m: number) => PAD.top + plotH - (m / max) * plotH,
  };
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label="Spend and value per day, last 14 days"
      xmlns="http://www.w3.org/2000/svg"
    >
      <title>Spend vs value per day</title>
      <GridLines g={g} ticks={[0, 0.5, 1].map((f) => Math.round(max * f))} />
      {days.map((d, i) => (
        <DayBars g={g} d={d} i={i} label={(days.length - 1 - i) % labelEvery === 0} />
      ))}
      <Legend />
    </svg>
  );
}

/** The horizontal lines at 0, half and the top, each with its dollar label. */
function GridLines({ g, ticks }: { g: Geometry; ticks: number[] }) {
  return (
    <>
      {ticks.map((t) => (
        <g>
          <line x1={PAD.left} x2={g.W - PAD.right} y1={g.y(t)} y2={g.y(t)} stroke="#ddd" stroke-width="1" />
          <text x={PAD.left - 6} y={g.y(t) + 4} text-anchor="end" font-size={FONT} fill="#555">
            {formatUsd(t)}
          </text>
        </g>
      ))}
    </>
  );
}

/** One day: its value bar, its spend bar beside it, and its date when it is labelled. */
function DayBars({ g, d, i, label }: { g: Geometry; d: DayTotals; i: number; label: boolean }) {
  const { bar, y } = g;
  const x = PAD.left + i * g.slot + 2;
  return (
    <g>
      <rect x={x} y={y(d.valueMicros)} width={bar} height={y(0) - y(d.valueMicros)} fill="#2e7d32">
        <title>{`${d.day} value ${formatUsd(d.valueMicros)}`}</title>
      </rect>
      <rect x={x + bar + 1} y={y(d.spendMicros)} width={bar} height={y(0) - y(d.spendMicros)} fill="#e65100">
        <title>{`${d.day} spend ${formatUsd(d.spendMicros)}`}</title>
      </rect>
      {label ? (
        <text x={x + bar} y={H - PAD.bottom + 15} text-anchor="middle" font-size={FONT} fill="#555">
          {d.day.slice(5)}
        </text>
      ) : null}
    </g>
  );
}

function Legend() {
  return (
    <>
      <rect x={PAD.left} y={H - 12} width="10" height="10" fill="#2e7d32" />
      <text x={PAD.left + 14} y={H - 3} font-size={FONT}>
        value
      </text>
      <rect x={PAD.left + 64} y={H - 12} width="10" height="10" fill="#e65100" />
      <text x={PAD.left + 78} y={H - 3} font-size={FONT}>
        spend
      </text>
    </>
  );
}
