import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { EXIT } from "../../core/exit.ts";
import type { Check } from "../../evidence/home-checks.ts";
import { matrixPath, type TestMode, verifyHome, verifyMatrix } from "../../evidence/verify.ts";
import { SOURCE_ROOT } from "../../factory/build.ts";
import { bunSpawn, type Spawn } from "../../factory/spawn.ts";
import { ledgerForReading } from "../../status/open.ts";
import { type Args, flagBool, flagString, SPEC_FLAG } from "../args.ts";
import type { Command } from "../command.ts";
import { buildContext } from "../context.ts";

export interface VerifyCommandOptions {
  /** The test run that proves "tests pass"; default `bun test tests/seams` from the source tree. */
  tests?: readonly string[];
  spawn?: Spawn;
  /** The source tree; default the one this file is in (absent in a built binary). */
  sourceRoot?: string;
}

/** In a checkout, not a compiled binary: the tests and the matrix can be run. */
function inRepo(root: string): boolean {
  return !Bun.isStandaloneExecutable && existsSync(join(root, "tests", "seams"));
}

function line(c: Check): string {
  return `${c.ok ? "✓" : "✗"} ${c.name}: ${c.detail}`;
}

async function matrix(
  args: Args,
  opts: VerifyCommandOptions,
  env: Record<string, string | undefined>,
  print: (l: string) => void,
): Promise<number> {
  const root = resolve(flagString(args, "base") ?? opts.sourceRoot ?? SOURCE_ROOT);
  const file = resolve(flagString(args, "matrix-file") ?? matrixPath(root));
  if (!flagString(args, "matrix-file") && !inRepo(root)) {
    print(
      "matrix: skipped — this is a built binary with no source tree; run `bun run afk verify --matrix` in the repo",
    );
    return EXIT.ok;
  }
  const resolveOnly = flagBool(args, "resolve-only");
  const report = await verifyMatrix({
    file,
    root,
    resolveOnly,
    bun: process.execPath,
    spawn: opts.spawn ?? bunSpawn,
    env,
  });
  for (const e of report.errors) print(`✗ ${e}`);
  for (const v of report.verdicts) {
    const where = v.row.evidence.map((e) => `${e.path}:${e.line}`).join(", ");
    if (v.problems.length === 0)
      print(
        `✓ ${v.row.id} ${v.row.promise} — ${where}; ${resolveOnly ? "test declared" : "test passed"}: ${v.row.test.name}`,
      );
    else print(`✗ ${v.row.id} ${v.row.promise} — ${v.problems.join("; ")}`);
  }
  const broken = report.verdicts.filter((v) => v.problems.length > 0).length + report.errors.length;
  print(
    `matrix: ${report.verdicts.length} rows, ${report.verdicts.length - report.verdicts.filter((v) => v.problems.length).length} hold${resolveOnly ? " (resolution only; tests not run)" : ""}, ${broken} problem${broken === 1 ? "" : "s"} (${file})`,
  );
  return broken === 0 ? EXIT.ok : EXIT.failed;
}

/** `afk verify`; tests inject a small test command so the suite is not run inside itself. */
export function makeVerifyCommand(opts: VerifyCommandOptions = {}): Command {
  return {
    name: "verify",
    summary:
      "the lab's self-verify: tests, kill tests, write-ups, run log, ledger, 14-day window (--matrix: the coverage matrix)",
    usage:
      "afk verify [--spec PATH] [--full | --self-check] | afk verify --matrix [--resolve-only] [--matrix-file F --base DIR]",
    flags: {
      ...SPEC_FLAG,
      full: { type: "boolean" },
      "self-check": { type: "boolean" },
      matrix: { type: "boolean" },
      "resolve-only": { type: "boolean" },
      "matrix-file": { type: "string" },
      base: { type: "string" },
    },
    async run(args, deps) {
      const env = { ...deps.env };
      if (flagBool(args, "matrix")) return matrix(args, opts, env, deps.print);
      const app = buildContext(args, deps);
      const root = opts.sourceRoot ?? SOURCE_ROOT;
      const bun = process.execPath;
      const tests: TestMode =
        flagBool(args, "self-check") || !inRepo(root)
          ? { kind: "self" }
          : {
              kind: "repo",
              root,
              command: opts.tests ?? [bun, "test", ...(flagBool(args, "full") ? [] : ["tests/seams"])],
            };
      const ledger = existsSync(app.ledgerPath) ? ledgerForReading(app) : null;
      try {
        app.deps.print(`afk verify — AFK_HOME ${app.host.home}`);
        const checks = await verifyHome({
          home: app.host.home,
          loaded: app.loaded,
          db: ledger?.db ?? null,
          tickSeconds: app.host.tickSeconds,
          now: app.deps.clock.now(),
          tests,
          spawn: opts.spawn ?? bunSpawn,
          env,
        });
        for (const c of checks) app.deps.print(line(c));
        const failed = checks.filter((c) => !c.ok);
        app.deps.print(
          failed.length
            ? `verify: ${failed.length} of ${checks.length} checks failed: ${failed.map((c) => c.name).join(", ")}`
            : `verify: all ${checks.length} checks hold`,
        );
        return failed.length ? EXIT.failed : EXIT.ok;
      } finally {
        ledger?.close();
        app.close();
      }
    },
  };
}

export const verifyCommand = makeVerifyCommand();
