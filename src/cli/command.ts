import type { Deps } from "../core/deps.ts";
import type { Args, FlagDefs } from "./args.ts";

/** One CLI command: returns its exit code; only main touches the process. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /**
   * Every flag the command takes (node's `util.parseArgs` options; `--help` is added for all). The
   * dispatcher parses strictly against it: an unknown flag is exit 2 with the usage above.
   */
  flags: FlagDefs;
  /** How many positional words it takes after its name (default none). */
  positionals?: number;
  run(args: Args, deps: Deps): Promise<number>;
}

/**
 * A command as `afk help` and dispatch see it before it runs: its name and summary, and how to load
 * its module. Only the command that runs loads (and with it hono, ollama, feedsmith…), so start-up
 * costs the same whichever command it is.
 */
export interface LazyCommand {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

/** The command behind `c`: loaded now when lazy, as it is otherwise. */
export function loadCommand(c: Command | LazyCommand): Promise<Command> {
  return "load" in c ? c.load() : Promise.resolve(c);
}
