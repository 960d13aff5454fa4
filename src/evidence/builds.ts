import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** What the retrospective needs from a factory build record (`runs/build-<stamp>.md`, src/factory/record.ts). */
export interface BuildRecord {
  /** Relative to AFK_HOME: `runs/build-20260601T070000Z.md`. */
  path: string;
  at: string;
  specHash: string;
  /** A refused build (red seam gate) made no binary: it fixed nothing. */
  built: boolean;
}

/** Reads one record; null when the file is not a build record. */
export function parseBuildRecord(path: string, text: string): BuildRecord | null {
  const at = /^# afk build (\S+)/m.exec(text)?.[1];
  const hash = /^\| spec hash \| `([^`]+)` \|/m.exec(text)?.[1];
  if (!at || !hash || Number.isNaN(Date.parse(at))) return null;
  return { path, at: new Date(at).toISOString(), specHash: hash, built: !text.includes("**Refused") };
}

/** Every build record under `runs/`, oldest first. */
export function readBuildRecords(home: string): BuildRecord[] {
  const dir = join(home, "runs");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^build-.*\.md$/.test(f))
    .flatMap((f) => parseBuildRecord(`runs/${f}`, readFileSync(join(dir, f), "utf8")) ?? [])
    .sort((a, b) => a.at.localeCompare(b.at) || a.path.localeCompare(b.path));
}

/** The first good build after `at` whose spec differs from the one the incident ran: the build that fixed it. */
export function fixingBuild(
  builds: readonly BuildRecord[],
  at: string,
  specHash: string,
): BuildRecord | null {
  return builds.find((b) => b.built && b.at > at && b.specHash !== specHash) ?? null;
}
