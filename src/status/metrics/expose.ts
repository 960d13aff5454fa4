/** Prometheus text exposition (version 0.0.4): families as values, rendered in one place. */

export type MetricType = "counter" | "gauge" | "histogram";

export interface Sample {
  labels?: Readonly<Record<string, string>>;
  value: number;
  /** Appended to the family name: `_bucket`, `_sum`, `_count` for a histogram. */
  suffix?: string;
}

/**
 * One metric family. Conventions kept here: base units (seconds, bytes, dollars), `_total` only
 * on counters that never decrease, a state is a gauge.
 */
export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  samples: readonly Sample[];
}

/** Label values escaped as the text format requires. */
function labelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function number(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  return Number.isFinite(v) ? String(v) : "0";
}

function renderFamily(f: MetricFamily): string[] {
  const lines = [
    `# HELP ${f.name} ${f.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`,
    `# TYPE ${f.name} ${f.type}`,
  ];
  for (const s of f.samples) {
    const labels = Object.entries(s.labels ?? {});
    const l = labels.length ? `{${labels.map(([k, v]) => `${k}="${labelValue(v)}"`).join(",")}}` : "";
    lines.push(`${f.name}${s.suffix ?? ""}${l} ${number(s.value)}`);
  }
  return lines;
}

export function renderFamilies(families: readonly MetricFamily[]): string {
  return families.length ? `${families.flatMap(renderFamily).join("\n")}\n` : "";
}

export function gauge(name: string, help: string, samples: readonly Sample[]): MetricFamily {
  return { name, type: "gauge", help, samples };
}

export function counter(name: string, help: string, samples: readonly Sample[]): MetricFamily {
  if (!name.endsWith("_total")) throw new Error(`metrics: counter ${name} must end in _total`);
  return { name, type: "counter", help, samples };
}

/**
 * A histogram from per-bucket counts (each bucket's own, ascending by `le`, the last +Inf):
 * the exposition's buckets are cumulative, `_count` is the +Inf bucket.
 */
export function histogram(
  name: string,
  help: string,
  buckets: readonly { le: number; count: number }[],
  sum: number,
): MetricFamily {
  let acc = 0;
  const samples: Sample[] = buckets.map((b) => {
    acc += b.count;
    return { suffix: "_bucket", labels: { le: number(b.le) }, value: acc };
  });
  if (buckets.at(-1)?.le !== Number.POSITIVE_INFINITY)
    samples.push({ suffix: "_bucket", labels: { le: "+Inf" }, value: acc });
  samples.push({ suffix: "_sum", value: sum }, { suffix: "_count", value: acc });
  return { name, type: "histogram", help, samples };
}
