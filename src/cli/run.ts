import type { Deps } from "../core/deps.ts";
import { AfkError, describeError } from "../core/errors.ts";
import { type Args, parseArgs } from "./args.ts";
import { type Command, type LazyCommand, loadCommand } from "./command.ts";
import { COMMANDS } from "./commands.ts";
import { VERSION } from "./version.ts";

/** A registry entry, or a command already built (tests inject one with its ports). */
type Entry = Command | LazyCommand;

function help(commands: readonly Entry[]): string[] {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `afk ${VERSION} — run an LLM job unattended, capped and killable`,
    "",
    "usage: afk <command> [--spec PATH] [options]",
    "",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "afk <command> --help shows a command's usage.",
  ];
}

async function versionLine(args: Args, deps: Deps): Promise<string> {
  // Imported here: yaml and zod load only when a spec is read, never for `afk help`.
  const [{ resolveSpec }, { hostOf }] = await Promise.all([
    import("../spec/resolve.ts"),
    import("./context.ts"),
  ]);
  try {
    const loaded = resolveSpec(args.flags.get("spec") as string | undefined, hostOf(deps).home);
    return `afk ${VERSION} spec ${loaded.hash} (${loaded.origin === "embedded" ? "embedded" : loaded.origin.slice(5)})`;
  } catch {
    return `afk ${VERSION} spec (none loaded)`;
  }
}

/** The whole CLI as a function: argv in, exit code out. Errors are printed once, here. */
export async function run(
  argv: readonly string[],
  deps: Deps,
  commands: readonly Entry[] = COMMANDS,
): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.flags.has("version") || args.command === "version") {
      deps.print(await versionLine(args, deps));
      return 0;
    }
    if (!args.command || args.command === "help") {
      for (const l of help(commands)) deps.print(l);
      return args.command ? 0 : 2;
    }
    const entry = commands.find((c) => c.name === args.command);
    if (!entry) throw new AfkError("usage", `unknown command '${args.command}' (afk help lists them)`);
    const cmd = await loadCommand(entry);
    if (args.flags.has("help")) {
      deps.print(`usage: ${cmd.usage}`);
      deps.print(cmd.summary);
      return 0;
    }
    return await cmd.run(args, deps);
  } catch (err) {
    if (err instanceof AfkError) {
      deps.warn(err.message);
      return err.exitCode;
    }
    deps.warn(`afk: internal error: ${describeError(err)}`);
    if (err instanceof Error && err.stack) deps.warn(err.stack);
    return 1;
  }
}
