import type { Deps } from "../core/deps.ts";
import type { Args } from "./args.ts";

/** One CLI command: returns its exit code; only main touches the process. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: Args, deps: Deps): Promise<number>;
}
