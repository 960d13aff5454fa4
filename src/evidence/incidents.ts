import type { Database } from "bun:sqlite";
import type { TickStatus } from "../core/status.ts";
import type { TickRow } from "../ledger/ticks.ts";
import { type BuildRecord, fixingBuild } from "./builds.ts";

/** Tick statuses the retrospective counts as production bugs: value degraded or lost. */
export const INCIDENT_STATUSES = ["degraded", "failed", "timeout", "crashed"] as const;

export interface Incident {
  tickId: string;
  status: TickStatus;
  startedAt: string;
  day: string;
  reason: string;
  tracePath: string | null;
  specHash: string;
  fixedBy: BuildRecord | null;
}

export interface IncidentGroup {
  cause: string;
  incidents: Incident[];
}

/**
 * A reason with its particulars removed, so ticks that failed the same way group together:
 * `(code: detail)` keeps the code, and times, URLs, paths, ids and numbers become placeholders.
 */
export function normaliseReason(reason: string | null): string {
  if (!reason) return "(no reason recorded)";
  return reason
    .replace(/\(([a-z][a-z0-9_]*): [^()]*(?:\([^()]*\)[^()]*)*\)/g, "($1)")
    .replace(/\b\d{4}-\d{2}-\d{2}T[\d:.]+Z?\b/g, "<time>")
    .replace(/\b\d{4}-\d{2}-\d{2}\b/g, "<day>")
    .replace(/https?:\/\/\S+/g, "<url>")
    .replace(/\$\d+(?:\.\d+)?/g, "<usd>")
    .replace(/\b[0-9a-f]{8,}\b/gi, "<id>")
    .replace(/\b\d+(?:\.\d+)?\b/g, "<n>")
    .replace(/\s+/g, " ")
    .trim();
}

/** Incidents since `since` (ts as in the lab's SQL), grouped by cause, largest group first. */
export function incidentGroups(db: Database, since: string, builds: readonly BuildRecord[]): IncidentGroup[] {
  const rows = db
    .query<TickRow, [string]>(
      `SELECT * FROM ticks WHERE started_at >= ? AND status IN (${INCIDENT_STATUSES.map((s) => `'${s}'`).join(",")})
       ORDER BY started_at, rowid`,
    )
    .all(since);
  const groups = new Map<string, Incident[]>();
  for (const r of rows) {
    const cause = `${r.status}: ${normaliseReason(r.reason)}`;
    const list = groups.get(cause) ?? [];
    list.push({
      tickId: r.id,
      status: r.status,
      startedAt: r.started_at,
      day: r.day,
      reason: r.reason ?? "(no reason recorded)",
      tracePath: r.trace_path,
      specHash: r.spec_hash,
      fixedBy: fixingBuild(builds, r.started_at, r.spec_hash),
    });
    groups.set(cause, list);
  }
  return [...groups.entries()]
    .map(([cause, incidents]) => ({ cause, incidents }))
    .sort((a, b) => b.incidents.length - a.incidents.length || a.cause.localeCompare(b.cause));
}
