import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { TraceRecord } from "./tracer.ts";

/** Every record of one tick, from the trace file its ledger row names (or a scan of runs/). */
export function readTickTrace(home: string, tickId: string, tracePath: string | null): TraceRecord[] {
  const files = tracePath ? [join(home, tracePath)] : traceFiles(home);
  const out: TraceRecord[] = [];
  for (const f of files) {
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, "utf8").split("\n")) {
      if (!line.includes(tickId)) continue;
      try {
        const r = JSON.parse(line) as TraceRecord;
        if (r.tick === tickId) out.push(r);
      } catch {
        // a line cut by a crash mid-write: the rest of the trace still reads
      }
    }
  }
  return out;
}

function traceFiles(home: string): string[] {
  const runs = join(home, "runs");
  if (!existsSync(runs)) return [];
  return readdirSync(runs)
    .filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))
    .sort()
    .map((d) => join(runs, d, "trace.jsonl"));
}

function fmtAttrs(attrs: TraceRecord["attrs"]): string {
  const parts = Object.entries(attrs)
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : String(v)}`);
  return parts.length ? `  ${parts.join(" ")}` : "";
}

/** The tick as an indented tree: spans with status and duration, events with their facts. */
export function renderTraceTree(records: readonly TraceRecord[]): string[] {
  const children = new Map<string | null, TraceRecord[]>();
  const ids = new Set(records.map((r) => r.id));
  for (const r of records) {
    const parent = r.parent && ids.has(r.parent) ? r.parent : null;
    const list = children.get(parent) ?? [];
    list.push(r);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.start.localeCompare(b.start));
  const lines: string[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      const pad = "  ".repeat(depth);
      if (r.kind === "span") {
        lines.push(
          `${pad}${r.name} [${r.status}] ${r.duration_ms} ms${fmtAttrs(r.attrs)}${r.error ? `  error: ${r.error}` : ""}`,
        );
      } else {
        lines.push(`${pad}• ${r.name}${fmtAttrs(r.attrs)}${r.error ? `  error: ${r.error}` : ""}`);
      }
      walk(r.id, depth + 1);
    }
  };
  walk(null, 0);
  return lines;
}
