import type { Deps } from "../core/deps.ts";
import { type AppContext, createAppContext } from "../runner/app.ts";
import { type Args, flagString } from "./args.ts";
import { VERSION } from "./version.ts";

/** The app context of a command: its `--spec`, this build's version, the environment in `deps` (see createAppContext). */
export function buildContext(args: Args, deps: Deps, opts: { sendsDigests?: boolean } = {}): AppContext {
  return createAppContext(deps, flagString(args, "spec"), VERSION, opts);
}
