/** One benchmark figure: what was measured, its goal, and (when missed) what bounds it. */
export interface Figure {
  key: string;
  value: number | null;
  unit: string;
  goal: { op: "<=" | ">="; target: number };
  /** How it was measured, and when the goal is missed, what bounds it. */
  note: string;
}

export function met(f: Figure): boolean | null {
  if (f.value === null) return null;
  return f.goal.op === "<=" ? f.value <= f.goal.target : f.value >= f.goal.target;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function round(x: number, digits = 3): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}

/** The table the README shows. */
export function renderTable(figures: readonly Figure[]): string[] {
  const rows = figures.map((f) => {
    const ok = met(f);
    return [
      f.key,
      f.value === null ? "—" : `${f.value} ${f.unit}`.trim(),
      `${f.goal.op} ${f.goal.target}`,
      ok === null ? "not measured" : ok ? "met" : "MISSED",
      f.note,
    ];
  });
  const head = ["figure", "value", "goal", "", "note"];
  return [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
}
