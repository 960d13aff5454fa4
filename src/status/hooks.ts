import { enqueue } from "../deliver/outbox.ts";
import type { AppContext } from "../runner/app.ts";
import type { TickHooks } from "../runner/guarded.ts";
import { afterTick } from "./after-tick.ts";
import { beforeTick } from "./before-tick.ts";

/** The operator's side of every tick, and the outbox a delivered unit is recorded in, as the runner is given them (cli injects them). */
export const statusHooks: TickHooks = {
  beforeTick: (app: AppContext) => beforeTick(app),
  afterTick: (app, summary) => afterTick({ app, summary }),
  enqueue,
};
