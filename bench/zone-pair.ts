/**
 * `bun bench/zone-pair.ts [--rounds N] [REPO …]`: what a time zone other than UTC costs a cold
 * `afk status`. For each checkout REPO (default: this one) it compiles afk and builds two homes as
 * the `cold` step does (prepareColdHome: 10,050-tick ledger, spec cached by that checkout's own
 * code), one with `timezone: UTC` and one with `Europe/Berlin`, then runs `afk status --spec` on
 * every home in alternating rounds and prints medians (wall and CPU) and the median of the paired
 * Berlin − UTC differences. Give an older checkout (a `git worktree add --detach`) to compare
 * before and after. Not a `bun run bench` figure: a check of one claim, on demand.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { median, round } from "./figure.ts";

const { values, positionals } = parseArgs({
  args: Bun.argv.slice(2),
  options: { rounds: { type: "string", default: "40" } },
  allowPositionals: true,
});
const repos = positionals.length > 0 ? positionals.map((r) => resolve(r)) : [resolve(import.meta.dir, "..")];
const ZONES = ["UTC", "Europe/Berlin"] as const;

interface Home {
  label: string;
  cmd: string[];
  env: Record<string, string>;
}

/** afk compiled from `repo` and its two homes under `dir`, cached by `repo`'s own code. */
async function prepare(repo: string, dir: string): Promise<Home[]> {
  const { compile } = await import(join(repo, "bench", "compiled.ts"));
  const { prepareColdHome } = await import(join(repo, "bench", "cold-start.ts"));
  const { VERSION } = await import(join(repo, "src", "cli", "version.ts"));
  const { loadSpecFile } = await import(join(repo, "src", "spec", "load.ts"));
  const { rememberSpec } = await import(join(repo, "src", "spec", "resolve.ts"));
  const afk = join(dir, "afk");
  compile(join(repo, "src", "main.ts"), afk);
  const today = new Date().toISOString().slice(0, 10);
  return ZONES.map((zone) => {
    const home = join(dir, zone.replace("/", "-"));
    mkdirSync(home, { recursive: true });
    prepareColdHome(home, today);
    const spec = join(home, "SPEC.md");
    writeFileSync(spec, readFileSync(spec, "utf8").replace("timezone: UTC", `timezone: ${zone}`));
    rememberSpec(loadSpecFile(spec), home, VERSION, new Date());
    return {
      label: `${repo} ${zone}`,
      cmd: [afk, "status", "--spec", spec],
      env: { PATH: process.env.PATH ?? "", HOME: home, AFK_HOME: home },
    };
  });
}

function run(h: Home): { wall: number; cpu: number; out: string } {
  const t = performance.now();
  const r = Bun.spawnSync(h.cmd, { env: h.env, stdout: "pipe", stderr: "pipe" });
  const wall = performance.now() - t;
  if (r.exitCode !== 0 || r.stderr.length > 0)
    throw new Error(`zone-pair: ${h.cmd.join(" ")} exited ${r.exitCode}: ${r.stderr.toString()}`);
  return { wall, cpu: Number(r.resourceUsage?.cpuTime.total ?? 0) / 1000, out: r.stdout.toString() };
}

const root = mkdtempSync(join(tmpdir(), "afk-zone-pair-"));
try {
  const homes: Home[] = [];
  for (const [i, repo] of repos.entries()) homes.push(...(await prepare(repo, join(root, String(i)))));
  for (const h of homes) run(h); // page cache warm: "cold" is the process
  const wall = homes.map(() => [] as number[]);
  const cpu = homes.map(() => [] as number[]);
  for (let i = 0; i < Number(values.rounds); i++)
    for (const [k, h] of homes.entries()) {
      const r = run(h);
      wall[k]?.push(r.wall);
      cpu[k]?.push(r.cpu);
    }
  for (const [k, h] of homes.entries())
    console.log(
      `${h.label}: wall ${round(median(wall[k] ?? []), 2)} ms, CPU ${round(median(cpu[k] ?? []), 2)} ms`,
    );
  const diff = (xs: number[][], k: number) =>
    round(median((xs[k + 1] ?? []).map((b, i) => b - (xs[k]?.[i] ?? 0))), 2);
  for (let k = 0; k < homes.length; k += 2)
    console.log(
      `${repos[k / 2]}: Berlin − UTC, median of ${values.rounds} paired runs: wall ${diff(wall, k)} ms, CPU ${diff(cpu, k)} ms`,
    );
} finally {
  rmSync(root, { recursive: true, force: true });
}
