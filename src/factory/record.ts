import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { specHash } from "../spec/load.ts";
import type { Compiled } from "./compile.ts";
import { unifiedDiff } from "./diff.ts";
import { describeGate, type GateResult } from "./gate.ts";
import type { Target } from "./targets.ts";

/** The spec text of the last good build, so the next record can say what changed. */
export const LAST_SPEC = "build-last-spec.md";

export interface BuildFacts {
  at: Date;
  version: string;
  specPath: string;
  specText: string;
  target: Target;
  gate: GateResult;
  embedded: string[];
  /** Unset when the gate refused the build. */
  binary: Compiled | undefined;
  /** Where the binary was written, relative to AFK_HOME when inside it. */
  binaryName: string;
  commit: string | undefined;
}

function stamp(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/** `runs/build-<UTC stamp>.md`, with a suffix when two builds land in the same second. */
export function recordPath(runsDir: string, at: Date): string {
  const base = `build-${stamp(at)}`;
  let path = join(runsDir, `${base}.md`);
  for (let n = 2; existsSync(path); n++) path = join(runsDir, `${base}-${n}.md`);
  return path;
}

export function previousSpec(runsDir: string): string | undefined {
  const path = join(runsDir, LAST_SPEC);
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The build record: what was built from which spec, what changed since the last build, proof it passed. */
export function renderRecord(f: BuildFacts, previous: string | undefined): string {
  const hash = specHash(f.specText);
  const lines = [
    `# afk build ${f.at.toISOString()}`,
    "",
    f.binary ? `Built \`${f.binaryName}\`.` : "**Refused: the seam tests failed, so no binary was made.**",
    "",
    "| | |",
    "| --- | --- |",
    `| version | ${f.version} |`,
    `| spec | \`${f.specPath}\` |`,
    `| spec hash | \`${hash}\` |`,
    `| previous spec hash | ${previous === undefined ? "none (first build)" : `\`${specHash(previous)}\``} |`,
    `| target | ${f.target} |`,
    `| source commit | ${f.commit ?? "unknown"} |`,
    `| embedded files | ${f.embedded.length ? f.embedded.map((e) => `\`${e}\``).join(", ") : "none"} |`,
    `| seam tests | ${describeGate(f.gate)} (\`${f.gate.command.join(" ")}\`, ${secs(f.gate.ms)}) |`,
  ];
  if (f.binary) {
    lines.push(
      `| binary | \`${f.binaryName}\` |`,
      `| size | ${f.binary.bytes} bytes (${mib(f.binary.bytes)}) |`,
      `| sha256 | \`${f.binary.sha256}\` |`,
      `| compile time | ${secs(f.binary.ms)} |`,
    );
  }
  lines.push("", "## Spec changes since the previous build", "");
  if (previous === undefined) lines.push("First build: no previous spec to compare with.");
  else {
    const diff = unifiedDiff(previous, f.specText, {
      before: `previous build (spec ${specHash(previous)})`,
      after: `this build (spec ${hash})`,
    });
    lines.push(
      ...(diff ? ["```diff", diff, "```"] : ["No change: the spec is the same as the previous build's."]),
    );
  }
  lines.push("", "## Seam tests", "", "```", ...f.gate.tail, "```", "");
  return lines.join("\n");
}

/** Writes the record; a good build also becomes the baseline the next record diffs against. */
export function writeRecord(runsDir: string, f: BuildFacts): string {
  mkdirSync(runsDir, { recursive: true });
  const path = recordPath(runsDir, f.at);
  writeFileSync(path, renderRecord(f, previousSpec(runsDir)));
  if (f.binary) writeFileSync(join(runsDir, LAST_SPEC), f.specText);
  return path;
}
