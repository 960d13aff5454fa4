import { dirname, relative } from "node:path";
import cronLine from "../../ops/cron/afk.crontab" with { type: "text" };
import plist from "../../ops/launchd/dev.afk.serve.plist" with { type: "text" };
import unit from "../../ops/systemd/afk.service" with { type: "text" };
import { cronWake } from "./cron-zone.ts";

/** The ways afk can be scheduled on a host. */
export const SCHEDULE_KINDS = ["cron", "systemd", "launchd"] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

/** Where things are on this host; the ops/ templates use the defaults below. */
export interface Layout {
  /** The command that runs afk: a binary path, or `bun /path/src/main.ts` from a checkout. */
  command: string;
  home: string;
  envFile: string;
  killFlag: string;
  /** systemd's User=/Group=. */
  user: string;
  /** The spec's cron pattern, for cron mode. */
  cadence: string;
  /** The spec's time zone (the cadence's), and the zone cron fires in on this host. */
  timezone?: string;
  hostTimezone?: string;
}

/** The layout the files in ops/ are written for. */
export const TEMPLATE_LAYOUT: Layout = {
  command: "/opt/afk/afk",
  home: "/var/lib/afk",
  envFile: "/etc/afk/afk.env",
  killFlag: "/var/lib/afk/afk.kill",
  user: "afk",
  cadence: "0 7 * * *",
};

/** Where `--apply` puts each kind, and the unit/label names doctor looks for. */
export const SYSTEMD_UNIT_PATH = "/etc/systemd/system/afk.service";
export const LAUNCHD_LABEL = "dev.afk.serve";

function inside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith("/"));
}

const HOME_DIRS = ["/home", "/root", "/run/user"];

/** Replaces the template layout's paths (longest first, so the kill flag wins over AFK_HOME). */
function substitute(text: string, l: Layout): string {
  const t = TEMPLATE_LAYOUT;
  return text
    .replaceAll(t.killFlag, "\u0000KILL\u0000")
    .replaceAll(t.envFile, "\u0000ENV\u0000")
    .replaceAll(t.command, "\u0000CMD\u0000")
    .replaceAll(t.home, "\u0000HOME\u0000")
    .replaceAll("\u0000KILL\u0000", l.killFlag)
    .replaceAll("\u0000ENV\u0000", l.envFile)
    .replaceAll("\u0000CMD\u0000", l.command)
    .replaceAll("\u0000HOME\u0000", l.home);
}

/**
 * ProtectHome=yes hides /home, /root and /run/user entirely, kill flag included; when afk lives
 * there, hide the rest of them (tmpfs) and bind back only what the service needs.
 */
function protectHome(l: Layout): string {
  const binary = l.command.split(" ").at(-1) ?? l.command;
  const needed = [l.home, dirname(binary), dirname(l.killFlag)];
  if (!needed.some((p) => HOME_DIRS.some((h) => inside(p, h)))) return "ProtectHome=yes";
  const readOnly = [dirname(binary), dirname(l.killFlag)].filter(
    (p, i, all) => !inside(p, l.home) && all.indexOf(p) === i,
  );
  return [
    "# afk lives under a home directory: hide the others, bind back AFK_HOME (and the binary / kill flag).",
    "ProtectHome=tmpfs",
    `BindPaths=${l.home}`,
    ...(readOnly.length ? [`BindReadOnlyPaths=${readOnly.join(" ")}`] : []),
  ].join("\n");
}

/** The schedule file for `kind`, rendered from the ops/ template for this host's layout. */
export function renderSchedule(kind: ScheduleKind, l: Layout): string {
  switch (kind) {
    case "systemd":
      return substitute(unit, l)
        .replace(/^User=afk$/m, `User=${l.user}`)
        .replace(/^Group=afk$/m, `Group=${l.user}`)
        .replace(/^ProtectHome=yes$/m, protectHome(l));
    case "cron": {
      const wake = cronWake(
        l.cadence,
        l.timezone ?? "UTC",
        l.hostTimezone ?? l.timezone ?? "UTC",
        new Date(),
      );
      const text = substitute(cronLine, l).replace(/^0 7 \* \* \* /m, `${wake.pattern} `);
      return wake.due ? text.replace(" tick --cron ", " tick --cron --due ") : text;
    }
    case "launchd":
      return substitute(plist, l);
    default: {
      const never: never = kind;
      throw new Error(`unknown schedule kind ${String(never)}`);
    }
  }
}

/** The crontab line alone (the entry doctor and `install --cron --apply` look for). */
export function cronEntry(l: Layout): string {
  const line = renderSchedule("cron", l)
    .split("\n")
    .find((x) => x.trim() && !x.startsWith("#"));
  return line ?? "";
}
