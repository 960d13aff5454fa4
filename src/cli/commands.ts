import type { Command } from "./command.ts";
import { armCommand } from "./commands/arm.ts";
import { buildCommand } from "./commands/build.ts";
import { clockCommand } from "./commands/clock.ts";
import { doctorCommand } from "./commands/doctor.ts";
import { incidentsCommand } from "./commands/incidents.ts";
import { installCommand } from "./commands/install.ts";
import { killCommand } from "./commands/kill.ts";
import { killTestCommand } from "./commands/kill-test.ts";
import { ledgerCommand } from "./commands/ledger.ts";
import { retroCommand } from "./commands/retro.ts";
import { serveCommand } from "./commands/serve.ts";
import { statusCommand } from "./commands/status.ts";
import { tickCommand } from "./commands/tick.ts";
import { traceCommand } from "./commands/trace.ts";
import { verifyCommand } from "./commands/verify.ts";

/** Every CLI command, in the order `afk help` lists them. One line each; add yours here. */
export const COMMANDS: readonly Command[] = [
  serveCommand,
  tickCommand,
  killCommand,
  armCommand,
  killTestCommand,
  traceCommand,
  buildCommand,
  doctorCommand,
  installCommand,
  statusCommand,
  clockCommand,
  ledgerCommand,
  incidentsCommand,
  verifyCommand,
  retroCommand,
];
