import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EXIT } from "../../core/exit.ts";
import {
  flagScenario,
  passed,
  renderEvidence,
  type ServeLauncher,
  signalScenarios,
} from "../../evidence/kill-test.ts";
import { startKillTestFeed } from "../../evidence/kill-test-feed.ts";
import { hostOf } from "../../runner/app.ts";
import { flagBool } from "../args.ts";
import type { Command } from "../command.ts";

const REPO_ROOT = resolve(import.meta.dir, "../../..");

/** `bun run afk serve` in a checkout (what the lab does); the binary itself once compiled. */
export function defaultLauncher(): ServeLauncher {
  if (!Bun.isStandaloneExecutable && existsSync(join(REPO_ROOT, "package.json")))
    return { argv: [process.execPath, "run", "afk"], cwd: REPO_ROOT };
  return { argv: [process.execPath], cwd: process.cwd() };
}

export function createKillTestCommand(launcher: () => ServeLauncher = defaultLauncher): Command {
  return {
    name: "kill-test",
    summary:
      "prove both kill mechanisms on a live runner in a temporary home; evidence in runs/kill-test-{1,2}.md",
    usage: "afk kill-test [--keep]   (exit 0 both proven, 1 a check failed)",
    flags: { keep: { type: "boolean" } },
    async run(args, deps) {
      const host = hostOf(deps);
      const tmp = mkdtempSync(join(tmpdir(), "afk-kill-test-"));
      const feed = startKillTestFeed();
      try {
        const l = launcher();
        deps.print(`kill-test: live runners in ${tmp}, feed ${feed.url}`);
        const one = [await flagScenario(l, feed, join(tmp, "flag"))];
        const two = await signalScenarios(l, feed, join(tmp, "signal"));
        const runs = join(host.home, "runs");
        mkdirSync(runs, { recursive: true });
        const at = deps.clock.now();
        const files = [
          [join(runs, "kill-test-1.md"), renderEvidence("kill test 1 — the kill flag", at, one)],
          [join(runs, "kill-test-2.md"), renderEvidence("kill test 2 — the process (SIGTERM)", at, two)],
        ] as const;
        for (const [path, text] of files) writeFileSync(path, text);
        for (const s of [...one, ...two]) {
          const failed = s.checks.filter((c) => !c.ok).map((c) => c.name);
          deps.print(
            `${failed.length ? "✗" : "✓"} ${s.title}: pid ${s.topPid} (tree ${s.tree.join(",")}), exit ${s.exitCode} after ${s.msToExit ?? "—"} ms, left ${s.left.length}, last row ${s.rows.at(-1)?.status ?? "none"}${failed.length ? ` — failed: ${failed.join("; ")}` : ""}`,
          );
        }
        for (const [path] of files) deps.print(`evidence: ${path}`);
        deps.print("re-armed: the test's kill flag was removed; your own flag was never touched");
        return passed([...one, ...two]) ? EXIT.ok : EXIT.failed;
      } finally {
        feed.stop();
        if (!flagBool(args, "keep")) rmSync(tmp, { recursive: true, force: true });
      }
    },
  };
}

export const killTestCommand = createKillTestCommand();
