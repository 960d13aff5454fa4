import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { AfkError } from "../core/errors.ts";
import { type SpecEnv, specEnvIssues } from "./env.ts";
import { jobIssues } from "./job-issues.ts";
import { classifyLocation } from "./location.ts";
import { readSpecText } from "./read.ts";
import { type Spec, SpecSchema } from "./schema.ts";
import { specHash, splitSpec } from "./text.ts";

/** A validated spec plus where it came from; `dir` anchors relative source paths. */
export interface LoadedSpec {
  spec: Spec;
  /** sha256 of the whole SPEC.md text, first 12 hex chars. */
  hash: string;
  /** 'embedded' or 'file:<path>'. */
  origin: string;
  dir: string;
  text: string;
  prose: string;
}

export { specHash };

function specError(file: string, lines: string[]): AfkError {
  return new AfkError("spec_invalid", `spec: ${file} is invalid:\n${lines.map((l) => `  ${l}`).join("\n")}`);
}

/**
 * Parses SPEC.md text: YAML front matter validated by SpecSchema, prose after it.
 * Every error names the field and its line in the file (front matter starts on line 2).
 */
export function parseSpec(
  text: string,
  file: string,
  origin: string,
  dir: string,
  opts: { env?: SpecEnv } = {},
): LoadedSpec {
  const parts = splitSpec(text);
  if (!parts) throw specError(file, ["line 1: expected YAML front matter between '---' lines"]);
  const yamlText = parts.yaml;
  const lineOffset = 1; // the opening '---'
  const counter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw specError(
      file,
      doc.errors.map((e) => {
        const pos = counter.linePos(e.pos[0]);
        return `line ${pos.line + lineOffset}: YAML: ${e.message.split("\n")[0]}`;
      }),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // An alias bomb (a few lines that expand to billions of nodes) stops here, before it is built.
    throw specError(file, [
      `line ${1 + lineOffset}: YAML: ${err instanceof Error ? err.message : String(err)} (aliases expand past the limit of 100)`,
    ]);
  }
  // Parsed once per process: zod's compiled fast path would cost more to build than it saves.
  const result = SpecSchema.safeParse(raw, { jitless: true });
  if (!result.success) {
    throw specError(
      file,
      result.error.issues.map((issue) => describeIssue(issue, doc, counter, lineOffset)),
    );
  }
  const places = sourcePlaceProblems(result.data, dir);
  if (places.length > 0)
    throw specError(
      file,
      places.map(
        (p) => `line ${lineOf(doc, counter, p.path, lineOffset, false)}: ${fieldName(p.path)}: ${p.message}`,
      ),
    );
  const envIssues = opts.env
    ? [...specEnvIssues(result.data, opts.env), ...jobIssues(result.data, dir, opts.env)]
    : [];
  if (envIssues.length > 0) {
    throw specError(
      file,
      envIssues.map(
        (i) => `line ${lineOf(doc, counter, i.path, lineOffset, false)}: ${fieldName(i.path)}: ${i.message}`,
      ),
    );
  }
  return {
    spec: result.data,
    hash: specHash(text),
    origin,
    dir,
    text,
    prose: parts.prose,
  };
}

/**
 * Every source url and backup must be http(s) or a file under the spec's folder: `file:///etc/passwd`,
 * `/etc/passwd`, `../../x` and `gopher://…` are refused here, at load, not at every tick.
 */
function sourcePlaceProblems(spec: Spec, dir: string): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  spec.sources.forEach((s, i) => {
    for (const key of ["url", "backup"] as const) {
      const raw = s[key];
      if (raw === undefined) continue;
      const where = classifyLocation(raw, dir);
      if ("code" in where) out.push({ path: ["sources", i, key], message: where.message });
    }
  });
  return out;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  doc: ReturnType<typeof parseDocument>,
  counter: LineCounter,
  lineOffset: number,
): string {
  const path = [...issue.path];
  if (issue.code === "unrecognized_keys") {
    return issue.keys
      .map(
        (k) =>
          `line ${lineOf(doc, counter, [...path, k], lineOffset, true)}: ${fieldName([...path, k])}: unknown key`,
      )
      .join("\n  ");
  }
  const line = lineOf(doc, counter, path, lineOffset, false);
  const field = path.length ? fieldName(path) : "(front matter)";
  const missing = issue.code === "invalid_type" && issue.message.endsWith("received undefined");
  return `line ${line}: ${field}: ${missing ? `required key is missing (${issue.expected})` : issue.message}`;
}

function fieldName(path: PropertyKey[]): string {
  return path.reduce<string>((acc, p) => {
    if (typeof p === "number") return `${acc}[${p}]`;
    return acc ? `${acc}.${String(p)}` : String(p);
  }, "");
}

/** Line of the deepest node along `path` that exists (a missing key points at its parent). */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  counter: LineCounter,
  path: PropertyKey[],
  lineOffset: number,
  keyLine: boolean,
): number {
  for (let n = path.length; n >= 0; n--) {
    const sub = path.slice(0, n) as (string | number)[];
    const node = (n === 0 ? doc.contents : doc.getIn(sub, true)) as
      | { range?: [number, number, number] }
      | undefined;
    let offset = node?.range?.[0];
    if (keyLine && n === path.length && n > 0) {
      const parent = (n === 1 ? doc.contents : doc.getIn(sub.slice(0, -1), true)) as {
        items?: { key?: { value?: unknown; range?: [number, number, number] } }[];
      };
      const pair = parent?.items?.find((p) => p.key?.value === sub[sub.length - 1]);
      offset = pair?.key?.range?.[0] ?? offset;
    }
    if (offset !== undefined) return counter.linePos(offset).line + lineOffset;
  }
  return 1 + lineOffset;
}

/** Reads and validates a SPEC.md file; with `env`, the variables it names must be set too. */
export function loadSpecFile(path: string, opts: { env?: SpecEnv } = {}): LoadedSpec {
  const abs = resolve(path);
  return parseSpec(readSpecText(path, abs), path, `file:${abs}`, dirname(abs), opts);
}
