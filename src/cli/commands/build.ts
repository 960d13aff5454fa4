import { relative } from "node:path";
import { AfkError } from "../../core/errors.ts";
import { EXIT } from "../../core/exit.ts";
import { buildBinary, SOURCE_ROOT } from "../../factory/build.ts";
import { describeGate, GATE_ENV, seamGate } from "../../factory/gate.ts";
import { bunSpawn, type Spawn } from "../../factory/spawn.ts";
import { hostTarget, isTarget, TARGETS } from "../../factory/targets.ts";
import { hostOf } from "../../runner/app.ts";
import { REPO_SPEC_PATH } from "../../spec/resolve.ts";
import { flagString, SPEC_FLAG } from "../args.ts";
import type { Command } from "../command.ts";
import { VERSION } from "../version.ts";

export interface BuildCommandOptions {
  /** The seam gate; default `bun test tests/seams` from the source tree. */
  gate?: readonly string[];
  spawn?: Spawn;
}

/** `afk build`; tests inject a small gate so a red seam can be shown without running the suite twice. */
export function makeBuildCommand(opts: BuildCommandOptions = {}): Command {
  return {
    name: "build",
    summary: "validate the spec, run the seam tests, compile one binary with the spec embedded",
    usage: `afk build [--spec PATH] [--target ${TARGETS.join("|")}]`,
    flags: { ...SPEC_FLAG, target: { type: "string" } },
    async run(args, deps) {
      if (Bun.isStandaloneExecutable)
        throw new AfkError(
          "usage",
          "build: run it from the source tree (bun run afk build), not from a built binary",
        );
      if (!opts.gate && deps.env[GATE_ENV])
        throw new AfkError(
          "build_failed",
          `build: refusing to run the seam gate inside a seam gate (${GATE_ENV} is set)`,
        );
      const host = hostOf(deps);
      const t = flagString(args, "target") ?? hostTarget(process.platform, process.arch);
      if (!isTarget(t)) throw new AfkError("usage", `build: --target must be one of ${TARGETS.join(", ")}`);
      // The bun that runs this command compiles the binary and runs the gate: same version, no PATH lookup.
      const bun = process.execPath;
      const result = await buildBinary(
        {
          specPath: flagString(args, "spec") ?? relative(deps.cwd, REPO_SPEC_PATH),
          target: t,
          home: host.home,
          gate: opts.gate ?? seamGate(bun),
        },
        {
          clock: deps.clock,
          spawn: opts.spawn ?? bunSpawn,
          bun,
          env: deps.env,
          version: VERSION,
          sourceRoot: SOURCE_ROOT,
          print: deps.print,
        },
      );
      if (!result.binary) {
        deps.warn(`build refused: seam tests failed (${describeGate(result.gate)})`);
        for (const line of result.gate.tail.slice(-15)) deps.warn(`  ${line}`);
        deps.warn(`record: ${result.record}`);
        return EXIT.build;
      }
      deps.print(`seam tests: ${describeGate(result.gate)}`);
      deps.print(
        `built ${result.binary.path} (${result.binary.bytes} bytes, sha256 ${result.binary.sha256.slice(0, 16)}…, spec ${result.loaded.hash})`,
      );
      deps.print(`record: ${result.record}`);
      return EXIT.ok;
    },
  };
}

export const buildCommand: Command = makeBuildCommand();
