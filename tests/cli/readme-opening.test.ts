/**
 * The README's two opening commands are what a new user runs first and what CI runs: they stay
 * as printed, `.ci/run` runs the second one verbatim, and the first one's tick does what the
 * README says it does (offline, no Ollama: `degraded`, a digest in `out/`).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { bunSpawn } from "../../src/factory/spawn.ts";
import { closedPort } from "../factory/helpers.ts";
import { REPO, tempHome } from "../support/home.ts";

const README = readFileSync(join(REPO, "README.md"), "utf8");

/** The first two `sh` blocks of the README's "## Two commands" section. */
function openingCommands(): string[] {
  const section = /^## Two commands\n([\s\S]*?)^## /m.exec(README)?.[1] ?? "";
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].slice(0, 2).map((m) => (m[1] ?? "").trim());
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe("the README's two opening commands", () => {
  test("set up + run the job, set up + run the tests: each a block of one line, as printed", () => {
    expect(openingCommands()).toEqual([
      "scripts/setup.sh && bun run afk tick",
      "scripts/setup.sh --test && bun test --timeout 60000",
    ]);
    expect(statSync(join(REPO, "scripts", "setup.sh")).mode & 0o111).not.toBe(0);
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.afk).toBe("bun src/main.ts");
  });

  test(".ci/run runs the README's test command verbatim", () => {
    const ci = readFileSync(join(REPO, ".ci", "run"), "utf8").split("\n");
    const at = ci.findIndex((l) => l.startsWith("# The README's test command, verbatim"));
    expect(at).toBeGreaterThan(-1);
    const testCommand = openingCommands()[1] ?? "";
    expect(ci[at + 1]?.startsWith(`${testCommand} `)).toBe(true);
    expect(statSync(join(REPO, ".ci", "run")).mode & 0o111).not.toBe(0);
  });

  test("the first command's tick, as printed, with no Ollama: degraded, a digest in out/, exit 0", async () => {
    const home = tempHome("afk-readme-");
    cleanups.push(home.cleanup);
    const command = (openingCommands()[0] ?? "").split(" && ")[1] ?? "";
    expect(command).toBe("bun run afk tick");
    const {
      exitCode: code,
      stdout: out,
      stderr: err,
    } = await bunSpawn(command.split(" "), {
      cwd: REPO,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: home.dir,
        AFK_HOME: home.dir,
        OLLAMA_HOST: `http://127.0.0.1:${closedPort()}`,
      },
    });
    expect({ code, err: err.replace(/^\$ .*\n/m, "") }).toEqual({ code: 0, err: "" });
    expect(out).toMatch(/^tick t\S+: degraded — fallback primary → fallback/m);
    expect(out).toMatch(/^ {2}digest: out\/infra-digest-\S+\.md \(\d+ items, value \$2\.50\)$/m);
    expect(readdirSync(join(home.dir, "out")).filter((f) => f.endsWith(".md"))).toHaveLength(1);
  });

  test("setup.sh on a machine with neither bun nor npm: one line saying what it needs, exit 1, nothing run", async () => {
    const bin = tempHome("afk-nobun-");
    cleanups.push(bin.cleanup);
    symlinkSync(Bun.which("dirname") ?? "/usr/bin/dirname", join(bin.dir, "dirname"));
    const r = await bunSpawn(["/bin/bash", join(REPO, "scripts", "setup.sh")], {
      cwd: bin.dir,
      env: { PATH: bin.dir },
    });
    expect({ code: r.exitCode, out: r.stdout, err: r.stderr }).toEqual({
      code: 1,
      out: "",
      err: "setup: needs bun, or npm to install it from the npm registry (e.g. apt-get install npm)\n",
    });
  });
});
