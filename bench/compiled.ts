import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../src/soak/child.ts";

/** Compiles `entry` with the factory's flags (no .env, no bunfig) into `outfile`. */
function compile(entry: string, outfile: string): void {
  const r = Bun.spawnSync(
    [
      "bun",
      "build",
      "--compile",
      "--no-compile-autoload-dotenv",
      "--no-compile-autoload-bunfig",
      entry,
      "--outfile",
      outfile,
    ],
    { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" },
  );
  if (r.exitCode !== 0) throw new Error(`bench: bun build --compile ${entry} failed: ${r.stderr.toString()}`);
}

/** The compiled afk and a compiled hello-world, side by side in `dir`. */
export function compileBoth(dir: string): { afk: string; hello: string } {
  const helloSrc = join(dir, "hello.ts");
  writeFileSync(helloSrc, 'console.log("hello");\n');
  const afk = join(dir, "afk");
  const hello = join(dir, "hello");
  compile(join(REPO_ROOT, "src", "main.ts"), afk);
  compile(helloSrc, hello);
  return { afk, hello };
}
