import type { Database } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describeGate, runGate } from "../factory/gate.ts";
import type { Spawn } from "../factory/spawn.ts";
import { allMigrations } from "../ledger/migrations.ts";
import type { LoadedSpec } from "../spec/load.ts";
import {
  type Check,
  killTestCheck,
  ledgerRowsCheck,
  runLogCheck,
  windowCheck,
  writeUpCheck,
} from "./home-checks.ts";
import { parseMatrix } from "./matrix.ts";
import { type RowVerdict, resolveRows, runProvingTests } from "./matrix-check.ts";
import { selfCheck } from "./self-check.ts";

/** How the "tests" line is proven: a test run in the source tree, or the binary's self-check. */
export type TestMode = { kind: "repo"; command: readonly string[]; root: string } | { kind: "self" };

export interface VerifyInput {
  home: string;
  loaded: LoadedSpec;
  /** The ledger, or null when the home has none. */
  db: Database | null;
  tickSeconds: number | undefined;
  now: Date;
  tests: TestMode;
  spawn: Spawn;
  env: Readonly<Record<string, string | undefined>>;
}

async function testsCheck(v: VerifyInput): Promise<Check> {
  if (v.tests.kind === "self")
    return selfCheck(
      v.loaded,
      v.db,
      v.home,
      allMigrations.map((m) => m.id),
    );
  const gate = await runGate(v.tests.command, v.spawn, v.tests.root, v.env);
  return {
    name: "tests",
    ok: gate.passed,
    detail: `${describeGate(gate)} (\`bun ${v.tests.command.slice(1).join(" ")}\` in ${v.tests.root})`,
  };
}

/** Every check of `afk verify`, in the order printed. */
export async function verifyHome(v: VerifyInput): Promise<Check[]> {
  const window = windowCheck(v.db, v.loaded.spec, v.tickSeconds, v.now);
  return [
    await testsCheck(v),
    killTestCheck(v.home),
    writeUpCheck(v.home),
    runLogCheck(v.home, window.streak),
    ledgerRowsCheck(v.db),
    window.check,
  ];
}

export interface MatrixReport {
  /** Malformed rows and a missing file. */
  errors: string[];
  verdicts: RowVerdict[];
}

/** `afk verify --matrix`: every row resolves, and (unless resolveOnly) its proving test passes. */
export async function verifyMatrix(opts: {
  file: string;
  root: string;
  resolveOnly: boolean;
  bun: string;
  spawn: Spawn;
  env: Readonly<Record<string, string | undefined>>;
}): Promise<MatrixReport> {
  if (!existsSync(opts.file)) return { errors: [`no matrix at ${opts.file}`], verdicts: [] };
  const parsed = parseMatrix(readFileSync(opts.file, "utf8"));
  const errors = [...parsed.errors];
  if (parsed.rows.length === 0)
    errors.push(`${opts.file}: no matrix rows (| id | promise | evidence | proving test |)`);
  const resolved = resolveRows(parsed.rows, opts.root);
  const verdicts = opts.resolveOnly
    ? resolved
    : await runProvingTests(resolved, opts.root, opts.bun, opts.spawn, opts.env);
  return { errors, verdicts };
}

export function matrixPath(root: string): string {
  return join(root, "docs", "pillar-coverage-matrix.md");
}
