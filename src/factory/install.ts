import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import envExample from "../../ops/afk.env.example" with { type: "text" };
import { AfkError } from "../core/errors.ts";
import {
  cronEntry,
  LAUNCHD_LABEL,
  type Layout,
  renderSchedule,
  type ScheduleKind,
  SYSTEMD_UNIT_PATH,
} from "./schedule.ts";
import type { Spawn } from "./spawn.ts";

/** Paths with shell or unit-file metacharacters would need quoting in three syntaxes; refuse them. */
const PLAIN_PATH = /^[A-Za-z0-9_./@%+=:,-]+$/;

export function checkLayout(l: Layout): void {
  for (const [what, p] of [
    ["AFK_HOME", l.home],
    ["env file", l.envFile],
    ["kill flag", l.killFlag],
    ...l.command.split(" ").map((c) => ["command", c] as const),
  ] as const)
    if (!PLAIN_PATH.test(p))
      throw new AfkError(
        "usage",
        `install: ${what} '${p}' has spaces or shell characters; move it to a plain path`,
      );
}

/** The example env file with this host's kill flag, written when the env file does not exist yet. */
export function envFileText(l: Layout): string {
  return envExample.replace(/^AFK_KILL_FLAG=.*$/m, `AFK_KILL_FLAG=${l.killFlag}`);
}

export interface ApplyEnv {
  spawn: Spawn;
  env: Readonly<Record<string, string | undefined>>;
  userHome: string;
  print: (line: string) => void;
  /** Where the systemd unit goes; default /etc/systemd/system/afk.service. */
  unitPath?: string;
}

async function must(a: ApplyEnv, cmd: string[], stdin?: string): Promise<string> {
  a.print(`$ ${cmd.join(" ")}`);
  const r = await a.spawn(cmd, { cwd: "/", env: { ...a.env }, ...(stdin === undefined ? {} : { stdin }) });
  if (r.exitCode !== 0)
    throw new AfkError(
      "io",
      `install: ${cmd.join(" ")} exited ${r.exitCode}: ${(r.stderr || r.stdout).trim()}`,
    );
  return r.stdout;
}

/** Installs the schedule (and an env file from the example when there is none), then starts it. */
export async function applySchedule(kind: ScheduleKind, l: Layout, a: ApplyEnv): Promise<void> {
  mkdirSync(l.home, { recursive: true });
  if (!existsSync(l.envFile)) {
    mkdirSync(dirname(l.envFile), { recursive: true });
    writeFileSync(l.envFile, envFileText(l), { mode: 0o640 });
    a.print(`wrote ${l.envFile} from ops/afk.env.example (edit it: cap, Ollama, keys)`);
  }
  switch (kind) {
    case "systemd": {
      const unitPath = a.unitPath ?? SYSTEMD_UNIT_PATH;
      writeFileSync(unitPath, renderSchedule("systemd", l));
      chmodSync(unitPath, 0o644);
      a.print(`wrote ${unitPath}`);
      await must(a, ["systemctl", "daemon-reload"]);
      await must(a, ["systemctl", "enable", "afk.service"]);
      // restart, not start: a redeploy must pick up the new binary.
      await must(a, ["systemctl", "restart", "afk.service"]);
      return;
    }
    case "cron": {
      const entry = cronEntry(l);
      const current = await a
        .spawn(["crontab", "-l"], { cwd: "/", env: { ...a.env } })
        .then((r) => (r.exitCode === 0 ? r.stdout : ""));
      if (current.split("\n").includes(entry)) {
        a.print("crontab: the entry is already there");
        return;
      }
      // An older afk entry for the same command is replaced, everything else kept as it was.
      const kept = current
        .replace(/\n+$/, "")
        .split("\n")
        .filter((x, i) => (i > 0 || x !== "") && (x.startsWith("#") || !x.includes(`${l.command} tick`)));
      const next = `${[...kept, entry].join("\n")}\n`;
      await must(a, ["crontab", "-"], next);
      a.print(`crontab: ${entry}`);
      return;
    }
    case "launchd": {
      const path = join(a.userHome, "Library/LaunchAgents", `${LAUNCHD_LABEL}.plist`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, renderSchedule("launchd", l));
      a.print(`wrote ${path}`);
      await a.spawn(["launchctl", "unload", path], { cwd: "/", env: { ...a.env } });
      await must(a, ["launchctl", "load", "-w", path]);
      return;
    }
    default: {
      const never: never = kind;
      throw new AfkError("usage", `install: unknown kind ${String(never)}`);
    }
  }
}
