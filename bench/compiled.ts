import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { COMPILE_FLAGS } from "../src/factory/compile.ts";
import { REPO_ROOT } from "../src/soak/child.ts";

/**
 * Compiles `entry` with the factory's flags (no .env, no bunfig, bytecode, split) into `outfile`;
 * `defines` as `afk build` passes them (the embedded spec).
 */
export function compile(entry: string, outfile: string, defines: readonly string[] = []): void {
  const r = Bun.spawnSync(
    ["bun", "build", "--compile", ...COMPILE_FLAGS, ...defines, entry, "--outfile", outfile],
    {
      cwd: REPO_ROOT,
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  if (r.exitCode !== 0) throw new Error(`bench: bun build --compile ${entry} failed: ${r.stderr.toString()}`);
}

export interface Binaries {
  afk: string;
  hello: string;
  /** Bun's own floor for a server: bun:sqlite open and Bun.serve bound, then idle. */
  idleFloor: string;
}

/** The compiled afk, a compiled hello-world and a compiled idle server, side by side in `dir`. */
export function compileAll(dir: string): Binaries {
  const helloSrc = join(dir, "hello.ts");
  writeFileSync(helloSrc, 'console.log("hello");\n');
  const floorSrc = join(dir, "idle-floor.ts");
  writeFileSync(
    floorSrc,
    'import { Database } from "bun:sqlite";\nconst db = new Database(":memory:");\ndb.run("SELECT 1");\nBun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("ok") });\nconsole.log("next run never");\nsetInterval(() => {}, 60_000);\n',
  );
  const bins = { afk: join(dir, "afk"), hello: join(dir, "hello"), idleFloor: join(dir, "idle-floor") };
  compile(join(REPO_ROOT, "src", "main.ts"), bins.afk);
  compile(helloSrc, bins.hello);
  compile(floorSrc, bins.idleFloor);
  return bins;
}
