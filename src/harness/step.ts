import type { Span } from "../trace/tracer.ts";
import { stopStatus } from "./abort.ts";
import type { HarnessContext, Step } from "./context.ts";

/** The tick's step runner: the kill flag, then the stop signal, then the step as a child span of `root`. */
export function stepper(ctx: Pick<HarnessContext, "checkpoint" | "signal">, root: Span): Step {
  return (name, fn) => {
    ctx.checkpoint(name);
    const reason = stopStatus(ctx.signal);
    if (reason) throw reason;
    return root.run(name, fn);
  };
}
