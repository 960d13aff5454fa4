import type { AppContext } from "../runner/app.ts";
import type { TickHooks } from "../runner/guarded.ts";
import { afterTick } from "./after-tick.ts";
import { beforeTick } from "./before-tick.ts";

/** The operator's side of every tick, as the runner is given it (cli injects it). */
export const statusHooks: TickHooks = {
  beforeTick: (app: AppContext) => beforeTick(app),
  afterTick: (app, summary) => afterTick({ app, summary }),
};
