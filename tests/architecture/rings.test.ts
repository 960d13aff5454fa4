import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { SRC, sourceFiles } from "./source-files.ts";

/**
 * Rings import downward only. The order, lowest first, from shared/DESIGN.md ("The rings") and
 * the README's source map; folders on one line are one ring and may import each other:
 *
 *   core                     closed sets, money, clock, errors, exit codes, the one wait/write
 *   spec                     the spec's schema, loading, cadence maths, the embedded spec
 *   ledger, trace            ledger.sqlite and its migrations, runs/<day>/trace.jsonl
 *   sources                  fetching and normalising feeds          ┐
 *   models                   the model chain, budget, calls          │ harness
 *   harness, job             one tick: fetch → … → deliver, its row; ┘
 *                            or the operator's own command (job/)
 *   runner                   cadence loop, guards, lock, signals, the app context
 *   status, deliver          operator surface: status page, watchdog, run log; sinks, outbox
 *   factory                  build, doctor, install
 *   evidence, soak           verify, matrix, retro; the chaos soak
 *   cli                      argv → command; composes the rings (hooks, servers)
 *   main                     src/main.ts: the process
 *
 * One documented exception: a ring's tables live in `src/ledger/schema/<ring>.ts` and may read
 * that ring's closed sets for their CHECKs.
 */
export const RINGS: readonly (readonly string[])[] = [
  ["core"],
  ["spec"],
  ["ledger", "trace"],
  ["sources"],
  ["models"],
  ["harness", "job"],
  ["runner"],
  ["status", "deliver"],
  ["factory"],
  ["evidence", "soak"],
  ["cli"],
  ["main"],
];

/**
 * Upward imports not yet removed, each with why it is still there. The list only shrinks: a new
 * upward import fails the test, and so does an entry here that no longer exists.
 */
const KNOWN_UPWARD: Record<string, string> = {};

function ringOf(file: string): string {
  const [top = ""] = relative(SRC, file).split("/");
  return top.replace(/\.tsx?$/, "");
}

function rank(ring: string): number {
  const i = RINGS.findIndex((r) => r.includes(ring));
  if (i < 0) throw new Error(`src/${ring} is in no ring: add it to RINGS (and the README's source map)`);
  return i;
}

/** Relative import specifiers of a source text: static, type-only, re-exports and dynamic. */
function relativeSpecifiers(text: string): string[] {
  return [
    ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"/gms),
    ...text.matchAll(/\bimport\(\s*"(\.[^"]+)"\s*\)/g),
  ].map((m) => m[1] as string);
}

function importsOf(file: string): string[] {
  return relativeSpecifiers(readFileSync(file, "utf8")).map((s) => resolve(dirname(file), s));
}

function isOwnSchema(from: string, to: string): boolean {
  const m = /^ledger\/schema\/([a-z]+)\.ts$/.exec(relative(SRC, from));
  return m !== null && ringOf(to) === m[1];
}

/** Every import from a ring to a higher one, as `from.ts -> to.ts` (paths under src/). */
export function upwardImports(): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(SRC)) {
    for (const target of importsOf(file)) {
      if (!target.startsWith(SRC)) continue;
      if (rank(ringOf(target)) > rank(ringOf(file)) && !isOwnSchema(file, target))
        out.push(`${relative(SRC, file)} -> ${relative(SRC, target)}`);
    }
  }
  return [...new Set(out)].sort();
}

/**
 * Import cycles between files of one ring (type-only imports count: they tie the files' meanings
 * together). A cycle across rings has an upward import in it: the test above reports that.
 */
export function fileCycles(): string[][] {
  const graph = new Map(
    sourceFiles(SRC).map((f) => [relative(SRC, f), importsOf(f).map((t) => relative(SRC, t))]),
  );
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, "open");
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (!graph.has(t)) continue;
      if (state.get(t) === "open") {
        const cycle = stack.slice(stack.indexOf(t));
        if (new Set(cycle.map((c) => rank(ringOf(join(SRC, c))))).size === 1) cycles.push(cycle);
      } else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return cycles;
}

/**
 * Cycles within a ring not yet removed (first file of the loop as found), each with why. Only
 * shrinks; none is left, so any loop within a ring fails the test.
 */
const KNOWN_CYCLES: Record<string, string> = {};

describe("rings import downward only", () => {
  test("every folder under src/ belongs to a ring", () => {
    const tops = new Set(sourceFiles(SRC).map(ringOf));
    expect([...tops].filter((t) => !RINGS.flat().includes(t))).toEqual([]);
  });

  test("no import climbs to a higher ring, beyond the known ones being removed", () => {
    const found = upwardImports();
    expect(found.filter((e) => !(e in KNOWN_UPWARD))).toEqual([]);
    expect(Object.keys(KNOWN_UPWARD).filter((e) => !found.includes(e))).toEqual([]);
  });

  test("the checker sees an upward import, a type-only one and a dynamic one", () => {
    const probe = `import type { A } from "../cli/x.ts";\nexport { b } from "./y.ts";\nconst c = await import("../status/z.ts");`;
    expect(relativeSpecifiers(probe)).toEqual(["../cli/x.ts", "./y.ts", "../status/z.ts"]);
    expect(rank("cli")).toBeGreaterThan(rank("runner"));
    expect(rank("status")).toBe(rank("deliver"));
  });

  test("no two files of a ring import each other, directly or round a loop, beyond the known ones", () => {
    const found = fileCycles().map((c) => c.join(" -> "));
    expect(found.filter((c) => !(c in KNOWN_CYCLES))).toEqual([]);
    expect(Object.keys(KNOWN_CYCLES).filter((c) => !found.includes(c))).toEqual([]);
  });
});
