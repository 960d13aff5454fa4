import type { Deps } from "../../core/deps.ts";
import { newSession } from "../../core/identity.ts";
import { startDeliveryWorker } from "../../deliver/worker.ts";
import type { RunnerPorts } from "../../runner/ports.ts";
import { realPorts, shouldWatchParent } from "../../runner/process.ts";
import { serve } from "../../runner/serve.ts";
import { statusHooks } from "../../status/hooks.ts";
import { startStatusServer, statusBindAddress } from "../../status/server.ts";
import { SPEC_FLAG } from "../args.ts";
import type { Command } from "../command.ts";
import { buildContext } from "../context.ts";

/** Seconds the process is given to exit by itself after serve returns before it is forced. */
const EXIT_GRACE_MS = 1500;

export function createServeCommand(portsFor: (deps: Deps) => RunnerPorts): Command {
  return {
    name: "serve",
    summary: "run always on: ticks on the cadence (or every TICK_SECONDS), guarded, until stopped",
    usage:
      "afk serve [--spec PATH]   (stays up while halted at the cap or stopped by the kill flag; exit 0 on a signal or POST /kill, 2 bad spec/env, 4 another serve runs here)",
    flags: { ...SPEC_FLAG },
    async run(args, deps) {
      const app = buildContext(args, deps, { sendsDigests: true });
      const ports = portsFor(deps);
      try {
        const outcome = await serve({
          app,
          ports,
          session: newSession(deps.pid),
          hooks: statusHooks,
          statusServer: { check: (a) => void statusBindAddress(a.host), start: startStatusServer },
          between: startDeliveryWorker,
        });
        ports.exitWithin(outcome.exitCode, EXIT_GRACE_MS);
        return outcome.exitCode;
      } finally {
        app.close();
      }
    },
  };
}

export const serveCommand = createServeCommand((deps) =>
  realPorts({ watchParent: shouldWatchParent(deps.env), clock: deps.clock }),
);
