import type { LazyCommand } from "./command.ts";

/**
 * Every CLI command, in the order `afk help` lists them. One entry each; add yours here. The
 * summary is the command's own (a test holds them equal); `load` imports its module only when it
 * runs. A literal path in `import()` is what lets `bun build --compile` bundle the module.
 */
export const COMMANDS: readonly LazyCommand[] = [
  {
    name: "serve",
    summary: "run always on: ticks on the cadence (or every TICK_SECONDS), guarded, until stopped",
    load: () => import("./commands/serve.ts").then((m) => m.serveCommand),
  },
  {
    name: "tick",
    summary: "run one guarded tick now for the latest slot (cron mode: --cron)",
    load: () => import("./commands/tick.ts").then((m) => m.tickCommand),
  },
  {
    name: "deliver",
    summary:
      "send the digests still pending to the spec's sinks now, once (--retry-failed re-arms failed ones)",
    load: () => import("./commands/deliver.ts").then((m) => m.deliverCommand),
  },
  {
    name: "kill",
    summary: "stop everything: create the kill flag and signal the running serve (afk arm re-arms)",
    load: () => import("./commands/kill.ts").then((m) => m.killCommand),
  },
  {
    name: "arm",
    summary: "remove the kill flag so ticks may run again",
    load: () => import("./commands/arm.ts").then((m) => m.armCommand),
  },
  {
    name: "kill-test",
    summary:
      "prove both kill mechanisms on a live runner in a temporary home; evidence in runs/kill-test-{1,2}.md",
    load: () => import("./commands/kill-test.ts").then((m) => m.killTestCommand),
  },
  {
    name: "trace",
    summary: "print the last (or the given) tick's trace as a tree",
    load: () => import("./commands/trace.ts").then((m) => m.traceCommand),
  },
  {
    name: "build",
    summary: "validate the spec, run the seam tests, compile one binary with the spec embedded",
    load: () => import("./commands/build.ts").then((m) => m.buildCommand),
  },
  {
    name: "doctor",
    summary: "check this host can run afk unattended; each failure with the command that fixes it",
    load: () => import("./commands/doctor.ts").then((m) => m.doctorCommand),
  },
  {
    name: "install",
    summary: "print (or with --apply install) the cron line, systemd unit or launchd agent for this host",
    load: () => import("./commands/install.ts").then((m) => m.installCommand),
  },
  {
    name: "status",
    summary:
      "one glance: the verdict and its reasons, today, the last tick, kill flag, cap, next run, alert (--json)",
    load: () => import("./commands/status.ts").then((m) => m.statusCommand),
  },
  {
    name: "clock",
    summary: "the unattended clock: `afk clock start` writes Day 0; `afk clock` prints unattended days",
    load: () => import("./commands/clock.ts").then((m) => m.clockCommand),
  },
  {
    name: "ledger",
    summary: "report: ticks, dollars in, value out, weekly value ÷ dollars, paid-model shadow cost",
    load: () => import("./commands/ledger.ts").then((m) => m.ledgerCommand),
  },
  {
    name: "backup",
    summary:
      "copy the ledger consistently while afk runs (--since PATH: what restoring that copy would lose; --carry-into PATH: its spend kept)",
    load: () => import("./commands/backup.ts").then((m) => m.backupCommand),
  },
  {
    name: "incidents",
    summary: "degraded and failed ticks with their caught errors and trace paths",
    load: () => import("./commands/incidents.ts").then((m) => m.incidentsCommand),
  },
  {
    name: "verify",
    summary:
      "the lab's self-verify: tests, kill tests, write-ups, run log, ledger, 14-day window (--matrix: the coverage matrix)",
    load: () => import("./commands/verify.ts").then((m) => m.verifyCommand),
  },
  {
    name: "retro",
    summary: "the retrospective's money section and production-bug material, from the ledger",
    load: () => import("./commands/retro.ts").then((m) => m.retroCommand),
  },
];
