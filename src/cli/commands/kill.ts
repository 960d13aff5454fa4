import type { Deps } from "../../core/deps.ts";
import { EXIT } from "../../core/exit.ts";
import { hostOf } from "../../runner/app.ts";
import { createFlag, flagsOfHome, ignoredFlagLine, recordedFlagLine } from "../../runner/flag.ts";
import { type PidRecord, readPidRecord, unproven } from "../../runner/pidfile.ts";
import type { RunnerPorts } from "../../runner/ports.ts";
import { realPorts } from "../../runner/process.ts";
import type { Command } from "../command.ts";

const WAIT_EXIT_MS = 10_000;
const POLL_MS = 50;

/** Waits (bounded) for another process to be gone: there is no way to await a non-child's exit. */
export async function waitGone(ports: RunnerPorts, pid: number, withinMs: number): Promise<boolean> {
  for (let waited = 0; waited < withinMs; waited += POLL_MS) {
    if (!ports.isAlive(pid)) return true;
    await new Promise<void>((resolve) => ports.after(POLL_MS, resolve));
  }
  return !ports.isAlive(pid);
}

/**
 * `afk kill`. `prove` says why the pidfile's pid must not be signalled (null when it is proven to
 * be this home's serve: same host, boot and namespace, same start time, same command line).
 */
export function createKillCommand(
  portsFor: (deps: Deps) => RunnerPorts,
  prove: (r: Partial<PidRecord> & { pid: number }) => string | null = unproven,
): Command {
  return {
    name: "kill",
    summary: "stop everything: create the kill flag and signal the running serve (afk arm re-arms)",
    usage: "afk kill",
    flags: {},
    async run(_args, deps) {
      const host = hostOf(deps);
      const ports = portsFor(deps);
      const record = readPidRecord(host.home);
      const { own, others, ignored } = flagsOfHome(host.killFlag, host.home, record);
      const note = `created by afk kill (pid ${deps.pid}) at ${deps.clock.now().toISOString()}`;
      createFlag(own, note);
      deps.print(`kill flag created: ${own} (no tick will run until afk arm)`);
      for (const flag of others) {
        createFlag(flag, note);
        deps.print(recordedFlagLine(flag, host.home, "created"));
      }
      for (const flag of ignored) deps.warn(ignoredFlagLine(flag, host.home, "created"));
      if (record === null || record.pid === deps.pid) {
        deps.print(`no afk serve running in ${host.home}`);
        return EXIT.ok;
      }
      const pid = record.pid;
      const why = prove(record);
      if (why !== null) {
        deps.print(`afk.pid names pid ${pid}; not signalled: ${why}`);
        deps.print(
          `no afk serve proven running in ${host.home}; a serve that does run stops at its next check of the flag`,
        );
        return 0;
      }
      const started = deps.clock.now().getTime();
      ports.signal(pid, "SIGTERM");
      const gone = await waitGone(ports, pid, WAIT_EXIT_MS);
      const ms = deps.clock.now().getTime() - started;
      if (gone) deps.print(`afk serve pid ${pid}: SIGTERM sent, exited after ${ms} ms`);
      else deps.warn(`afk serve pid ${pid}: SIGTERM sent, still running after ${ms} ms`);
      return gone ? EXIT.ok : EXIT.failed;
    },
  };
}

export const killCommand = createKillCommand((deps) => realPorts({ watchParent: false, clock: deps.clock }));
