import type { Deps } from "../core/deps.ts";
import { AfkError } from "../core/errors.ts";
import { EXIT } from "../core/exit.ts";
import { type Args, GLOBAL_FLAGS, parseStrict, splitCommand } from "./args.ts";
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

/** `afk --version`, imported here: `afk help` needs none of it. */
async function versionLine(spec: string | undefined, deps: Deps): Promise<string> {
  const { versionLine } = await import("./version-line.ts");
  return versionLine(spec, deps.env, deps.cwd);
}

/**
 * Parses a command's argv strictly against its own flags. Flags given before the command word
 * (`afk --spec X tick`) count as the command's, so they must be flags it takes.
 */
function commandArgs(cmd: Command, global: readonly string[], rest: readonly string[]): Args {
  const where = `afk ${cmd.name}`;
  try {
    const { values, positionals } = parseStrict([...global, ...rest], cmd.flags, cmd.positionals ?? 0, where);
    return { command: cmd.name, positionals, flags: values };
  } catch (err) {
    if (err instanceof AfkError) throw new AfkError("usage", `${err.message}\nusage: ${cmd.usage}`);
    throw err;
  }
}

/** The whole CLI as a function: argv in, exit code out. Errors are printed once, here. */
export async function run(
  argv: readonly string[],
  deps: Deps,
  commands: readonly Entry[] = COMMANDS,
): Promise<number> {
  const { global, command, rest } = splitCommand(argv);
  // the redactors the command built: an error escaping it is reported through them
  const redactors: ((text: string) => string)[] = [];
  try {
    if (command === null || command === "help" || command === "version") {
      const { values } = parseStrict(
        [...global, ...rest],
        GLOBAL_FLAGS,
        0,
        command ? `afk ${command}` : "afk",
      );
      if (values.has("version") || command === "version") {
        deps.print(await versionLine(values.get("spec") as string | undefined, deps));
        return EXIT.ok;
      }
      for (const l of help(commands)) deps.print(l);
      return command || values.has("help") ? EXIT.ok : EXIT.usage;
    }
    const entry = commands.find((c) => c.name === command);
    if (!entry) throw new AfkError("usage", `unknown command '${command}' (afk help lists them)`);
    const cmd = await loadCommand(entry);
    if (global.some((g) => g === "--version" || g === "-v")) {
      deps.print(await versionLine(undefined, deps));
      return EXIT.ok;
    }
    const args = commandArgs(cmd, global, rest);
    if (args.flags.has("help")) {
      deps.print(`usage: ${cmd.usage}`);
      deps.print(cmd.summary);
      return EXIT.ok;
    }
    return await cmd.run(args, { ...deps, adoptRedactor: (r) => redactors.push(r) });
  } catch (err) {
    if (err instanceof AfkError) {
      deps.warn(err.message);
      return err.exitCode;
    }
    // Loaded only on the way out: its trace sink needs node:fs, which costs every cold start ~1–2 ms.
    const { reportUnexpected } = await import("./unexpected.ts");
    return reportUnexpected(err, deps, command ?? "afk", redactors);
  }
}
